import { Binary, type Db } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditChain } from '../../../lib/audit/chain.js';
import { AuditWriter, ensureAuditIndexes, exportAuditEvents, queryAuditEvents, verifyAuditChains } from '../../../lib/audit/index.js';
import { LEGACY_AUDIT_EVENTS_COLLECTION } from '../../../lib/audit/legacy.js';
import { auditBlocks, auditChains } from '../../../lib/audit/store.js';
import { sampleKmipEvent } from '../../../lib/audit/testing/events.js';
import { useFerretDb } from '../pki/support/ferretdb.js';

const store = useFerretDb();
const T0 = Date.parse('2026-12-01T00:00:00.000Z');

/** Every page of tenant acme's events, newest first, `limit` per page. */
async function pageThrough(db: Db, limit: number): Promise<Array<{ id: string; time: number }>> {
  const seen: Array<{ id: string; time: number }> = [];
  let cursor: string | null = null;
  do {
    const page = await queryAuditEvents(db, { kind: 'tenant', tenantId: 'acme' }, {}, { limit, cursor });
    seen.push(...page.events.map((e) => ({ id: e.id, time: e.time.getTime() })));
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

function expectEveryRecordOnceNewestFirst(seen: Array<{ id: string; time: number }>, count: number): void {
  expect(seen).toHaveLength(count);
  expect(new Set(seen.map((x) => x.id)).size).toBe(count);
  expect(seen).toEqual([...seen].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1)));
}

describe('records across blocks of several chains', () => {
  let db: Db;
  beforeAll(async () => {
    db = store.mongo.db('stream_interleaved');
    await ensureAuditIndexes(db);
    // Three writers, small batches, times that interleave across chains and repeat: blocks overlap in time.
    const writers = [0, 1, 2].map(() => new AuditWriter({ db, role: 'kmip', batchSize: 7 }));
    for (let i = 0; i < 300; i++) {
      const time = new Date(T0 + ((i * 37) % 101) * 500);
      writers[i % 3]!.record({ ...sampleKmipEvent(i), time });
      if (i % 20 === 19) await Promise.all(writers.map((w) => w.flush()));
    }
    await Promise.all(writers.map((w) => w.close()));
    expect(await auditBlocks(db).countDocuments()).toBeGreaterThan(30);
  });

  it('pages newest first in exact (time, id) order, each record once', async () => {
    expectEveryRecordOnceNewestFirst(await pageThrough(db, 13), 300);
  });

  it('exports oldest first in the same order, and a time window holds exactly its records', async () => {
    let text = '';
    for await (const chunk of exportAuditEvents(db, { kind: 'platform' }, {}, 'jsonl', { batchSize: 50 })) text += chunk;
    const rows = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; time: string });
    expect(rows).toHaveLength(300);
    const keys = rows.map((r) => `${r.time}|${r.id}`);
    expect(keys).toEqual([...keys].sort());
    const from = new Date(T0 + 10_000);
    const to = new Date(T0 + 20_000);
    const inWindow = rows.filter((r) => Date.parse(r.time) >= from.getTime() && Date.parse(r.time) < to.getTime()).length;
    expect((await queryAuditEvents(db, { kind: 'platform' }, { from, to }, { limit: 1000 })).events).toHaveLength(inWindow);
  });
});

describe('records kept one document each (before blocks)', () => {
  let db: Db;
  let legacyChain: string;
  beforeAll(async () => {
    db = store.mongo.db('legacy_alongside');
    const chain = new AuditChain('kmip:old-host:7:1:xyz');
    legacyChain = chain.chainId;
    const records = Array.from({ length: 1234 }, (_, i) => chain.next({ ...sampleKmipEvent(i + 1), time: new Date(T0 + i * 10) }, () => new Date()));
    await db.collection(LEGACY_AUDIT_EVENTS_COLLECTION).insertMany(records);
    const last = records.at(-1)!;
    await auditChains(db).insertOne({ _id: chain.chainId, role: 'kmip', hostname: 'old-host', pid: 7, startedAt: new Date(T0), lastSeq: last.seq, lastHash: last.hash, updatedAt: new Date() });
    // The upgraded node writes blocks from then on, at times that interleave with the old records.
    await ensureAuditIndexes(db);
    const writer = new AuditWriter({ db, role: 'api', batchSize: 50 });
    for (let i = 0; i < 300; i++) writer.record({ ...sampleKmipEvent(10_000 + i), time: new Date(T0 + i * 37 + 5) });
    await writer.close();
  });

  it('stay where they are and are verified with the blocks', async () => {
    expect(await db.collection(LEGACY_AUDIT_EVENTS_COLLECTION).countDocuments()).toBe(1234);
    expect(await verifyAuditChains(db, { tenantId: 'acme' })).toMatchObject({ ok: true, chains: 2, records: 1534, tenant: { chains: 2, records: 1534 } });
    await db.collection(LEGACY_AUDIT_EVENTS_COLLECTION).updateOne({ chainId: legacyChain, seq: 700 }, { $set: { result: 'denied' } });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([expect.objectContaining({ chainId: legacyChain, seq: 700, kind: 'altered' })]);
    await db.collection(LEGACY_AUDIT_EVENTS_COLLECTION).updateOne({ chainId: legacyChain, seq: 700 }, { $set: { result: 'success' } });
  });

  it('are found by queries and export, in one (time, id) order with the blocks', async () => {
    expectEveryRecordOnceNewestFirst(await pageThrough(db, 97), 1534);
    expect((await queryAuditEvents(db, { kind: 'tenant', tenantId: 'acme' }, { objectId: 'obj-1000' })).events).toHaveLength(1);
    let text = '';
    for await (const chunk of exportAuditEvents(db, { kind: 'platform' }, {}, 'jsonl')) text += chunk;
    const keys = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; time: string }).map((r) => `${r.time}|${r.id}`);
    expect(keys).toHaveLength(1534);
    expect(keys).toEqual([...keys].sort());
  });
});

describe('object queries', () => {
  let db: Db;
  const ephemeral = (i: number): string => `e1.acme.1.${String(i).padStart(22, 'A')}.BBBBBBBBBBB`;
  beforeAll(async () => {
    db = store.mongo.db('stream_objects');
    await ensureAuditIndexes(db);
    // Block n (10 records) names key-n only; block 5 names ephemeral keys only.
    const writer = new AuditWriter({ db, role: 'kmip', batchSize: 10 });
    for (let i = 0; i < 60; i++) {
      const objectId = i < 50 ? `key-${Math.floor(i / 10)}` : ephemeral(i);
      writer.record({ ...sampleKmipEvent(i), objectId, time: new Date(T0 + i * 1000) });
      if (i % 10 === 9) await writer.flush();
    }
    await writer.close();
    const blocks = await auditBlocks(db).find({}, { sort: { from: 1 } }).toArray();
    expect(blocks.map((b) => b.objects)).toEqual([['key-0'], ['key-1'], ['key-2'], ['key-3'], ['key-4'], []]);
    // Block 2 as stored before summaries listed objects: it says nothing, so it must be read.
    await auditBlocks(db).updateOne({ _id: blocks[2]!._id }, { $unset: { objects: '', ephemeralObjects: '' } });
    // Blocks 0, 1 and 3 become unreadable: a query that reads one of them fails.
    for (const b of [blocks[0]!, blocks[1]!, blocks[3]!]) await auditBlocks(db).updateOne({ _id: b._id }, { $set: { records: new Binary(Buffer.from('damaged')) } });
  });

  const query = (objectId: string) => queryAuditEvents(db, { kind: 'tenant', tenantId: 'acme' }, { objectId }, { limit: 100 });

  it('read only the blocks that name the object, or do not say', async () => {
    expect((await query('key-4')).events.map((e) => e.objectId)).toEqual(Array(10).fill('key-4'));
    expect((await query('key-2')).events).toHaveLength(10);
    expect((await query(ephemeral(55))).events.map((e) => e.objectId)).toEqual([ephemeral(55)]);
    expect((await query('key-9')).events).toEqual([]);
    // The damaged blocks are still there, and a query that needs them says so.
    await expect(query('key-1')).rejects.toThrow(/audit block .* records do not decompress/);
  });
});
