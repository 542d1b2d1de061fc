import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditWriter, ensureAuditIndexes, recordHash, verifyAuditChains } from '../../../lib/audit/index.js';
import { auditChains, auditEvents } from '../../../lib/audit/store.js';
import { type FerretDb, startFerretDb } from '../pki/support/ferretdb.js';

let ferret: FerretDb;
let mongo: MongoClient;
let dbCounter = 0;

beforeAll(async () => {
  ferret = await startFerretDb();
  mongo = await new MongoClient(ferret.uri).connect();
});
afterAll(async () => {
  await mongo?.close();
  await ferret?.stop();
});

/** A fresh database holding one intact chain of `n` records (plus a second, untouched chain). */
async function chainOf(n: number): Promise<{ db: Db; chainId: string }> {
  const db = mongo.db(`verify_${++dbCounter}`);
  await ensureAuditIndexes(db);
  const writer = new AuditWriter({ db, role: 'kmip', batchSize: 200 });
  const other = new AuditWriter({ db, role: 'api' });
  for (let i = 1; i <= n; i++) {
    writer.record({ tenantId: 'acme', actor: { kind: 'service', id: 'svc' }, operation: 'kmip.Get', objectId: `o${i}`, result: 'success', details: { i } });
    if (i % 10 === 0) other.record({ tenantId: 'beta', actor: { kind: 'user', id: 'u' }, operation: 'l1.test', result: 'failure', reason: 'x' });
  }
  await Promise.all([writer.close(), other.close()]);
  const clean = await verifyAuditChains(db);
  expect(clean).toMatchObject({ ok: true, chains: 2, records: n + Math.floor(n / 10) });
  return { db, chainId: writer.chainId };
}

async function idOf(db: Db, chainId: string, seq: number): Promise<string> {
  return (await auditEvents(db).findOne({ chainId, seq }))!._id.toHexString();
}

describe('verifyAuditChains', () => {
  it('names a record whose field was changed, by id and sequence', async () => {
    const { db, chainId } = await chainOf(50);
    const id = await idOf(db, chainId, 17);
    await auditEvents(db).updateOne({ chainId, seq: 17 }, { $set: { result: 'denied' } });
    const v = await verifyAuditChains(db);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([{ chainId, seq: 17, kind: 'altered', recordId: id, detail: 'content does not match its hash' }]);
  });

  it('detects an edit that was re-hashed to look consistent (through the next record)', async () => {
    const { db, chainId } = await chainOf(50);
    const doc = (await auditEvents(db).findOne({ chainId, seq: 23 }))!;
    const forged = { ...doc, crossTenant: false, reason: 'nothing to see' };
    await auditEvents(db).updateOne({ _id: doc._id }, { $set: { crossTenant: false, reason: 'nothing to see', hash: recordHash(forged) } });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([expect.objectContaining({ chainId, seq: 23, kind: 'altered', recordId: doc._id.toHexString() })]);
  });

  it('detects a re-hashed edit of the last record through the chain head', async () => {
    const { db, chainId } = await chainOf(30);
    const doc = (await auditEvents(db).findOne({ chainId, seq: 30 }))!;
    await auditEvents(db).updateOne({ _id: doc._id }, { $set: { objectId: 'other', hash: recordHash({ ...doc, objectId: 'other' }) } });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([expect.objectContaining({ seq: 30, kind: 'altered', recordId: doc._id.toHexString(), detail: 'hash differs from the chain head' })]);
  });

  it('reports a record deleted from the middle as missing', async () => {
    const { db, chainId } = await chainOf(50);
    await auditEvents(db).deleteOne({ chainId, seq: 20 });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([{ chainId, seq: 20, kind: 'missing', count: 1 }]);
  });

  it('reports records deleted from the end as truncated (the head remembers)', async () => {
    const { db, chainId } = await chainOf(50);
    await auditEvents(db).deleteMany({ chainId, seq: { $gte: 48 } });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([{ chainId, seq: 48, kind: 'truncated', count: 3 }]);
  });

  it('reports a swapped pair as out of order, naming both records', async () => {
    const { db, chainId } = await chainOf(50);
    const a = await idOf(db, chainId, 30);
    const b = await idOf(db, chainId, 31);
    // swap sequence numbers around the unique index
    await auditEvents(db).updateOne({ chainId, seq: 30 }, { $set: { seq: -30 } });
    await auditEvents(db).updateOne({ chainId, seq: 31 }, { $set: { seq: 30 } });
    await auditEvents(db).updateOne({ chainId, seq: -30 }, { $set: { seq: 31 } });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([
      { chainId, seq: 30, kind: 'out-of-order', recordId: b, detail: 'written as sequence 31' },
      { chainId, seq: 31, kind: 'out-of-order', recordId: a, detail: 'written as sequence 30' },
    ]);
  });

  it('reports records appended beyond the head once they are older than the grace period', async () => {
    const { db, chainId } = await chainOf(20);
    const last = (await auditEvents(db).findOne({ chainId, seq: 20 }))!;
    const { _id: _ignored, ...rest } = last;
    const appended = { ...rest, seq: 21, prevHash: last.hash, objectId: 'planted' };
    await auditEvents(db).insertOne({ ...appended, hash: recordHash(appended) } as typeof last);
    expect((await verifyAuditChains(db)).ok).toBe(true); // a live writer's next batch looks like this
    await auditChains(db).updateOne({ _id: chainId }, { $set: { updatedAt: new Date(Date.now() - 3_600_000) } });
    expect((await verifyAuditChains(db)).problems).toEqual([{ chainId, seq: 21, kind: 'unanchored-tail', count: 1 }]);
    expect((await verifyAuditChains(db, { anchorGraceMs: 7_200_000 })).ok).toBe(true);
  });

  it('reports a chain whose head was deleted, and a head whose records were all deleted', async () => {
    const { db, chainId } = await chainOf(20);
    await auditChains(db).deleteOne({ _id: chainId });
    expect((await verifyAuditChains(db)).problems).toEqual([
      expect.objectContaining({ chainId, seq: 1, kind: 'unanchored-tail', count: 20 }),
    ]);
    const second = await chainOf(20);
    await auditEvents(second.db).deleteMany({ chainId: second.chainId });
    expect((await verifyAuditChains(second.db)).problems).toEqual([
      expect.objectContaining({ chainId: second.chainId, seq: 1, kind: 'truncated', count: 20 }),
    ]);
  });

  it('reports a record whose sequence number was made invalid', async () => {
    const { db, chainId } = await chainOf(20);
    const id = await idOf(db, chainId, 5);
    await auditEvents(db).updateOne({ chainId, seq: 5 }, { $set: { seq: 'five' as unknown as number } });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([
      expect.objectContaining({ kind: 'altered', recordId: id }),
      { chainId, seq: 5, kind: 'missing', count: 1 },
    ]);
  });

  it('verifies one chain on request', async () => {
    const { db, chainId } = await chainOf(20);
    expect(await verifyAuditChains(db, { chainId })).toMatchObject({ ok: true, chains: 1, records: 20 });
  });
});
