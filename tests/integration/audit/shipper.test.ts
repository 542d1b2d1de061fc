import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureAuditIndexes, verifyAuditChains } from '../../../lib/audit/index.js';
import { AuditJournal } from '../../../lib/audit/journal.js';
import { AuditShipper } from '../../../lib/audit/shipper.js';
import { auditChains, auditEvents } from '../../../lib/audit/store.js';
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
    const docs = await auditEvents(db).find({ chainId: j.chainId }, { sort: { seq: 1 } }).toArray();
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
    expect(await auditEvents(db).countDocuments({ chainId: j.chainId })).toBe(400);
    expect((await verifyAuditChains(db)).ok).toBe(true);
    expect(readdirSync(dir)).toHaveLength(1); // the writer (this process) is alive
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
    while (Date.now() < deadline && (await auditEvents(db).countDocuments({ chainId: j.chainId }).catch(() => 0)) < 150) await new Promise((r) => setTimeout(r, 100));
    await running.stop(2_000);
    expect(await auditEvents(db).countDocuments({ chainId: j.chainId })).toBe(150);
    expect(running.stats().storeHealthy).toBe(true);
    expect((await verifyAuditChains(db)).ok).toBe(true);
    j.close();
  }, 40_000);
});
