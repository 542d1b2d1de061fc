import { describe, expect, it } from 'vitest';
import {
  AuditUnavailableError,
  AuditWriter,
  ensureAuditIndexes,
  genesisHash,
  verifyAuditChains,
} from '../../../lib/audit/index.js';
import { auditChains } from '../../../lib/audit/store.js';
import { auditRecords, countAuditRecords } from '../../support/audit-records.js';
import { sampleKmipEvent } from '../../../lib/audit/testing/events.js';
import { useFerretDb } from '../pki/support/ferretdb.js';

const store = useFerretDb();
const event = sampleKmipEvent;

describe('AuditWriter', () => {
  it('stores events in order, in batches, chained from the genesis, with the head anchored', async () => {
    const db = store.mongo.db('writer_order');
    await ensureAuditIndexes(db);
    const flushes: number[] = [];
    const writer = new AuditWriter({ db, role: 'kmip', batchSize: 500, hooks: { onFlush: (f) => flushes.push(f.records) } });
    for (let i = 1; i <= 1200; i++) expect(writer.record(event(i)).seq).toBe(i);
    await writer.flush();
    expect(flushes.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(Math.max(...flushes)).toBeLessThanOrEqual(500);
    expect(flushes.length).toBeGreaterThanOrEqual(3);

    const stored = await auditRecords(db, { chainId: writer.chainId }, 'seq');
    expect(stored.map((d) => d.seq)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    expect(stored.map((d) => d.objectId)).toEqual(Array.from({ length: 1200 }, (_, i) => `obj-${i + 1}`));
    expect(stored[0]!.prevHash).toBe(genesisHash(writer.chainId));
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.prevHash).toBe(stored[i - 1]!.hash);

    const head = await auditChains(db).findOne({ _id: writer.chainId });
    expect(head).toMatchObject({ role: 'kmip', lastSeq: 1200, lastHash: stored[1199]!.hash, pid: process.pid });
    expect(writer.chainId).toMatch(new RegExp(`^kmip:[^:]+:${process.pid}:\\d+:[0-9a-f]{6}$`));
    expect(writer.stats()).toMatchObject({ depth: 0, recorded: 1200, flushed: 1200, refused: 0, storeHealthy: true });
    expect(await writer.close()).toEqual({ unflushed: 0 });
    expect(() => writer.record(event(1))).toThrow(AuditUnavailableError);

    const verification = await verifyAuditChains(db);
    expect(verification).toMatchObject({ ok: true, chains: 1, records: 1200, problems: [] });
  });

  it('writes a partial batch after the flush interval without being asked', async () => {
    const db = store.mongo.db('writer_interval');
    const writer = new AuditWriter({ db, role: 'api', flushIntervalMs: 50 });
    writer.record(event(1));
    writer.record(event(2));
    const deadline = Date.now() + 5_000;
    while ((await countAuditRecords(db, { chainId: writer.chainId })) < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await countAuditRecords(db, { chainId: writer.chainId })).toBe(2);
    await writer.close();
  });

  it('keeps one chain per writer when several write at once', async () => {
    const db = store.mongo.db('writer_many');
    await ensureAuditIndexes(db);
    const writers = [new AuditWriter({ db, role: 'kmip' }), new AuditWriter({ db, role: 'kmip' }), new AuditWriter({ db, role: 'worker' })];
    for (let i = 0; i < 300; i++) writers[i % 3]!.record(event(i, i % 2 ? 'acme' : 'beta'));
    await Promise.all(writers.map((w) => w.close()));
    expect(new Set(writers.map((w) => w.chainId)).size).toBe(3);
    expect(await verifyAuditChains(db)).toMatchObject({ ok: true, chains: 3, records: 300 });
  });

  it('refuses once the buffer is full while the store is down, and catches up when it returns', async () => {
    const db = store.mongo.db('writer_outage');
    await ensureAuditIndexes(db);
    const errors: unknown[] = [];
    const writer = new AuditWriter({
      db,
      role: 'kmip',
      bufferLimit: 50,
      batchSize: 20,
      flushIntervalMs: 10,
      retryInitialMs: 50,
      retryMaxMs: 400,
      hooks: { onFlushError: (e) => errors.push(e.error) },
    });
    for (let i = 1; i <= 10; i++) writer.record(event(i));
    await writer.flush();

    await store.ferret.kill();
    let accepted = 0;
    let refusal: unknown;
    for (let i = 11; i <= 100; i++) {
      try {
        writer.record(event(i));
        accepted++;
      } catch (error) {
        refusal = error;
        break;
      }
    }
    expect(accepted).toBe(50);
    expect(refusal).toBeInstanceOf(AuditUnavailableError);
    expect(writer.accepting()).toBe(false);
    await expect(writer.flush(1_500)).rejects.toThrow(AuditUnavailableError);
    expect(errors.length).toBeGreaterThan(0);
    expect(writer.stats()).toMatchObject({ storeHealthy: false, depth: 50, refused: 1 });

    await store.ferret.restart();
    await writer.flush(30_000);
    expect(writer.accepting()).toBe(true);
    expect(writer.stats()).toMatchObject({ storeHealthy: true, depth: 0, flushed: 60 });
    writer.record(event(61));
    await writer.close();

    const stored = await auditRecords(db, {}, 'seq');
    expect(stored.map((d) => d.seq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
    expect(await verifyAuditChains(db)).toMatchObject({ ok: true, records: 61 });
  });

  it('loses and duplicates nothing when the store dies in the middle of writing batches', async () => {
    const db = store.mongo.db('writer_midflight');
    await ensureAuditIndexes(db);
    const writer = new AuditWriter({ db, role: 'kmip', bufferLimit: 5_000, batchSize: 100, retryInitialMs: 50, retryMaxMs: 300 });
    for (let i = 1; i <= 2_000; i++) writer.record(event(i));
    // let some batches land, then pull the plug while others are in flight
    while (writer.stats().flushed < 300) await new Promise((r) => setTimeout(r, 5));
    await store.ferret.kill();
    const flushedAtKill = writer.stats().flushed;
    expect(flushedAtKill).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 700));
    await store.ferret.restart();
    await writer.flush(30_000);
    await writer.close();
    expect(await countAuditRecords(db, {})).toBe(2_000);
    expect(await verifyAuditChains(db)).toMatchObject({ ok: true, records: 2_000, problems: [] });
  });

  it('refuses malformed events synchronously without consuming a sequence number', async () => {
    const db = store.mongo.db('writer_invalid');
    const writer = new AuditWriter({ db, role: 'api' });
    expect(() => writer.record({ ...event(1), details: { secretValue: 'x' } })).toThrow(/secrets/);
    expect(writer.record(event(1)).seq).toBe(1);
    await writer.close();
    expect(await verifyAuditChains(db)).toMatchObject({ ok: true, records: 1 });
  });
});
