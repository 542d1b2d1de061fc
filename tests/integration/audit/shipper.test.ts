import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureAuditIndexes, verifyAuditChains } from '../../../lib/audit/index.js';
import { AuditChain } from '../../../lib/audit/chain.js';
import { AuditJournal, journalLine, segmentFileName } from '../../../lib/audit/journal.js';
import { AuditShipper } from '../../../lib/audit/shipper.js';
import { auditChains } from '../../../lib/audit/store.js';
import { auditRecords, countAuditRecords } from '../../support/audit-records.js';
import { sampleKmipEvent } from '../../../lib/audit/testing/events.js';
import { useFerretDb } from '../pki/support/ferretdb.js';

const store = useFerretDb();
const dirs: string[] = [];
const event = sampleKmipEvent;

function journalDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'openkcm-shipper-'));
  dirs.push(d);
  return d;
}

/** The chain of a writer that died: its pid cannot exist, so the shipper treats it as gone. */
function deadWriterChain(pid: number, tag: string): AuditChain {
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);
  return new AuditChain(`kmip:${host}:${pid}:${Date.now()}:${tag}`);
}

async function journal(j: AuditJournal, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) j.record(event(i));
  await j.appended();
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('AuditShipper', () => {
  it('stores journaled events in chain order, reports progress, and the chain verifies', async () => {
    const db = store.mongo.db('shipper_order');
    await ensureAuditIndexes(db);
    const dir = journalDir();
    const j = new AuditJournal({ dir, role: 'kmip', backlogLimit: 10_000, segmentBytes: 16 * 1024 });
    await journal(j, 1, 700);
    const progress: number[] = [];
    const shipper = new AuditShipper({ db, dir, batchSize: 250, onShipped: (chainId, seq) => chainId === j.chainId && progress.push(seq) });
    let stored = 0;
    for (let pass = 0; pass < 10 && stored < 700; pass++) stored += await shipper.shipOnce(1_000);
    expect(stored).toBe(700);
    expect(progress.at(-1)).toBe(700);
    const docs = await auditRecords(db, { chainId: j.chainId }, 'seq');
    expect(docs.map((d) => d.seq)).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
    expect(await auditChains(db).findOne({ _id: j.chainId })).toMatchObject({ role: 'kmip', lastSeq: 700, pid: process.pid });
    expect((await verifyAuditChains(db)).ok).toBe(true);
    // Segments the writer has moved past are gone; the one it is writing stays.
    expect(readdirSync(dir)).toHaveLength(1);
    j.close();
  });

  it('a restarted shipper resumes from the stored head without duplicates, and removes a closed writer\'s last segment', async () => {
    const db = store.mongo.db('shipper_restart');
    await ensureAuditIndexes(db);
    const dir = journalDir();
    const j = new AuditJournal({ dir, role: 'kmip', backlogLimit: 10_000 });
    await journal(j, 1, 300);
    await new AuditShipper({ db, dir, batchSize: 100 }).shipOnce(200); // stops part way
    await journal(j, 301, 400);
    const second = new AuditShipper({ db, dir, batchSize: 100 });
    let stored = 0;
    for (let pass = 0; pass < 10; pass++) stored += await second.shipOnce(1_000);
    expect(stored).toBe(200);
    expect(await countAuditRecords(db, { chainId: j.chainId })).toBe(400);
    expect((await verifyAuditChains(db)).ok).toBe(true);
    expect(readdirSync(dir)).toHaveLength(1); // the writer (this process) is alive
  });

  it('a trickle of events is stored in one batch per linger, not chased with one small insert per event', async () => {
    const db = store.mongo.db('shipper_trickle');
    await ensureAuditIndexes(db);
    const dir = journalDir();
    const j = new AuditJournal({ dir, role: 'kmip', backlogLimit: 10_000 });
    const shipper = new AuditShipper({ db, dir, batchSize: 500, lingerMs: 300 });
    shipper.start();
    const started = Date.now();
    // One event every 2 ms for 0.6 s: each insert takes longer than that, so a shipper that read
    // on until the file stopped growing would never pause.
    for (let i = 1; i <= 300; i++) {
      await journal(j, i, i);
      await new Promise((r) => setTimeout(r, 2));
    }
    const lingers = Math.ceil((Date.now() - started) / 300);
    await shipper.stop();
    const { shipped, batches } = shipper.stats();
    expect(shipped).toBe(300);
    expect(await countAuditRecords(db, { chainId: j.chainId })).toBe(300);
    // One batch per linger, plus the first pass, one that may start as stop() is called, and
    // stop()'s drain (4 here). Chasing each new line, as before, took 121 inserts for these 300.
    expect(batches).toBeLessThanOrEqual(lingers + 3);
    j.close();
  });

  it('keeps the journal while the store is away and ships all of it when the store returns', async () => {
    const db = store.mongo.db('shipper_outage');
    await ensureAuditIndexes(db);
    const dir = journalDir();
    const j = new AuditJournal({ dir, role: 'kmip', backlogLimit: 10_000 });
    const shipper = new AuditShipper({ db, dir, batchSize: 100, lingerMs: 20 });
    const errors: number[] = [];
    const running = new AuditShipper({ db, dir, batchSize: 100, lingerMs: 20, onError: (_e, attempt) => errors.push(attempt) });
    await store.ferret.kill();
    running.start();
    await journal(j, 1, 150);
    await expect(shipper.shipOnce()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 800));
    expect(errors.length).toBeGreaterThan(0);
    expect(running.stats().storeHealthy).toBe(false);
    await store.ferret.restart();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await countAuditRecords(db, { chainId: j.chainId }).catch(() => 0)) < 150) await new Promise((r) => setTimeout(r, 100));
    await running.stop(2_000);
    expect(await countAuditRecords(db, { chainId: j.chainId })).toBe(150);
    expect(running.stats().storeHealthy).toBe(true);
    expect((await verifyAuditChains(db)).ok).toBe(true);
    j.close();
  }, 40_000);

  it("drops a dead writer's unfinished last line, and sets a damaged file aside without stopping the others", async () => {
    const db = store.mongo.db('shipper_damage');
    await ensureAuditIndexes(db);
    const dir = journalDir();
    // A writer that died mid-write: three whole records and a torn fourth.
    const dead = deadWriterChain(4194305, 'aaaaaa');
    const whole = [1, 2, 3].map((i) => journalLine(dead.next(event(i), () => new Date())));
    const torn = journalLine(dead.next(event(4), () => new Date())).slice(0, 40);
    writeFileSync(path.join(dir, segmentFileName(dead.chainId, 1)), whole.join('') + torn);
    // Another dead writer whose file was damaged in the middle.
    const damaged = deadWriterChain(4194306, 'bbbbbb');
    const lines = [1, 2, 3].map((i) => journalLine(damaged.next(event(i), () => new Date())));
    const damagedFile = path.join(dir, segmentFileName(damaged.chainId, 1));
    writeFileSync(damagedFile, lines[0]! + '{"not a record\n' + lines[2]!);
    // And a healthy live one.
    const live = new AuditJournal({ dir, role: 'kmip', backlogLimit: 100 });
    await journal(live, 1, 5);

    const reported: string[] = [];
    const shipper = new AuditShipper({ db, dir, onError: (e) => reported.push((e as Error).message) });
    for (let pass = 0; pass < 4; pass++) await shipper.shipOnce(1_000);

    expect(await countAuditRecords(db, { chainId: dead.chainId })).toBe(3);
    expect(await countAuditRecords(db, { chainId: live.chainId })).toBe(5);
    expect(reported.some((m) => m.includes('unfinished last line'))).toBe(true);
    expect(reported.some((m) => m.includes('unreadable record'))).toBe(true);
    expect(existsSync(`${damagedFile}.corrupt`)).toBe(true);
    // The dead writer's file is done and gone; the live writer's stays; the damaged one is set aside.
    expect(readdirSync(dir).sort()).toEqual([`${path.basename(damagedFile)}.corrupt`, segmentFileName(live.chainId, 1)].sort());
    live.close();
  });

  it('ships a journal written across an upgrade (object-layout lines, then canonical ones) and the chain verifies', async () => {
    const db = store.mongo.db('shipper_upgrade');
    await ensureAuditIndexes(db);
    const dir = journalDir();
    const chain = deadWriterChain(4194307, 'cccccc');
    const docs = Array.from({ length: 6 }, (_, i) => chain.next(event(i + 1), () => new Date()));
    // The layout the journal wrote before its lines became canonical encodings.
    const objectLine = (d: (typeof docs)[number]): string => `${JSON.stringify({ ...d, _id: d._id.toHexString(), time: d.time.toISOString() })}\n`;
    writeFileSync(path.join(dir, segmentFileName(chain.chainId, 1)), docs.slice(0, 3).map(objectLine).join('') + docs.slice(3).map(journalLine).join(''));
    expect(journalLine(docs[0]!).startsWith('["openkcm.audit.v1"')).toBe(true);

    const shipper = new AuditShipper({ db, dir });
    for (let pass = 0; pass < 3; pass++) await shipper.shipOnce(1_000);
    const stored = await auditRecords(db, { chainId: chain.chainId }, 'seq');
    expect(stored).toEqual(docs);
    expect((await verifyAuditChains(db)).ok).toBe(true);
  });
});
