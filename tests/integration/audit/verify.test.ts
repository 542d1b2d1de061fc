import { Binary, type Db, MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditRecordDocument, AuditWriter, ensureAuditIndexes, recordHash, verifyAuditChains } from '../../../lib/audit/index.js';
import { auditBlocks, auditChains } from '../../../lib/audit/store.js';
import { auditBlocksOf, auditRecords, tamperAuditChain } from '../../support/audit-records.js';
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

async function recordOf(db: Db, chainId: string, seq: number) {
  const [record] = (await auditRecords(db, { chainId })).filter((r) => r.seq === seq);
  return record!;
}

async function idOf(db: Db, chainId: string, seq: number): Promise<string> {
  return (await recordOf(db, chainId, seq))._id.toHexString();
}

/** Applies `change` to the record at `seq` of the chain (an edit in place, nothing re-hashed unless `change` does). */
function editRecord(db: Db, chainId: string, seq: number, change: (r: AuditRecordDocument) => AuditRecordDocument): Promise<void> {
  return tamperAuditChain(db, chainId, (records) => records.map((r) => (r.seq === seq ? change(r) : r)));
}

describe('verifyAuditChains', () => {
  it('names a record whose field was changed, by id and sequence', async () => {
    const { db, chainId } = await chainOf(50);
    const id = await idOf(db, chainId, 17);
    await editRecord(db, chainId, 17, (r) => ({ ...r, result: 'denied' }));
    const v = await verifyAuditChains(db);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([{ chainId, seq: 17, kind: 'altered', recordId: id, tenantId: 'acme', detail: 'content does not match its hash' }]);
  });

  it('detects an edit that was re-hashed to look consistent (through the next record)', async () => {
    const { db, chainId } = await chainOf(50);
    const doc = await recordOf(db, chainId, 23);
    const forged = { ...doc, crossTenant: false, reason: 'nothing to see' };
    await editRecord(db, chainId, 23, () => ({ ...forged, hash: recordHash(forged) }));
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([expect.objectContaining({ chainId, seq: 23, kind: 'altered', recordId: doc._id.toHexString() })]);
  });

  it('detects a re-hashed edit of the last record through the chain head', async () => {
    const { db, chainId } = await chainOf(30);
    const doc = await recordOf(db, chainId, 30);
    await editRecord(db, chainId, 30, (r) => ({ ...r, objectId: 'other', hash: recordHash({ ...r, objectId: 'other' }) }));
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([expect.objectContaining({ seq: 30, kind: 'altered', recordId: doc._id.toHexString(), detail: 'hash differs from the chain head' })]);
  });

  it('reports a record deleted from the middle as missing', async () => {
    const { db, chainId } = await chainOf(50);
    await tamperAuditChain(db, chainId, (records) => records.filter((r) => r.seq !== 20));
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([{ chainId, seq: 20, kind: 'missing', count: 1 }]);
  });

  it('reports records deleted from the end as truncated (the head remembers)', async () => {
    const { db, chainId } = await chainOf(50);
    await tamperAuditChain(db, chainId, (records) => records.filter((r) => r.seq < 48));
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([{ chainId, seq: 48, kind: 'truncated', count: 3 }]);
  });

  it('reports a swapped pair as out of order, naming both records', async () => {
    const { db, chainId } = await chainOf(50);
    const a = await idOf(db, chainId, 30);
    const b = await idOf(db, chainId, 31);
    await tamperAuditChain(db, chainId, (records) => records.map((r) => (r.seq === 30 ? { ...r, seq: 31 } : r.seq === 31 ? { ...r, seq: 30 } : r)));
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([
      { chainId, seq: 30, kind: 'out-of-order', recordId: b, tenantId: 'acme', detail: 'written as sequence 31' },
      { chainId, seq: 31, kind: 'out-of-order', recordId: a, tenantId: 'acme', detail: 'written as sequence 30' },
    ]);
  });

  it('reports records appended beyond the head once they are older than the grace period', async () => {
    const { db, chainId } = await chainOf(20);
    const last = await recordOf(db, chainId, 20);
    const appended = { ...last, _id: new ObjectId(), seq: 21, prevHash: last.hash, objectId: 'planted' };
    await tamperAuditChain(db, chainId, (records) => [...records, { ...appended, hash: recordHash(appended) }]);
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
    await auditBlocks(second.db).deleteMany({ chainId: second.chainId });
    expect((await verifyAuditChains(second.db)).problems).toEqual([
      expect.objectContaining({ chainId: second.chainId, seq: 1, kind: 'truncated', count: 20 }),
    ]);
  });

  it('reports a record whose sequence number was made invalid', async () => {
    const { db, chainId } = await chainOf(20);
    const id = await idOf(db, chainId, 5);
    await editRecord(db, chainId, 5, (r) => ({ ...r, seq: 'five' as unknown as number }));
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([
      expect.objectContaining({ kind: 'altered', recordId: id }),
      { chainId, seq: 5, kind: 'missing', count: 1 },
    ]);
  });

  it('reports a block that cannot be read as altered for its whole range, without a gap after it', async () => {
    const { db, chainId } = await chainOf(450);
    const [, second] = await auditBlocksOf(db, chainId);
    const bytes = Buffer.from(second!.records.buffer);
    bytes[10] = bytes[10]! ^ 0xff;
    await auditBlocks(db).updateOne({ _id: second!._id }, { $set: { records: new Binary(bytes) } });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([
      expect.objectContaining({ chainId, seq: second!.firstSeq, kind: 'altered', count: second!.lastSeq - second!.firstSeq + 1 }),
    ]);
    expect(v.problems[0]!.detail).toMatch(/^audit block .* (do not decompress|is not readable|is cut off)/);
  });

  it('reports a block whose summary hides a tenant from queries', async () => {
    const { db, chainId } = await chainOf(50);
    const [block] = await auditBlocksOf(db, chainId);
    await auditBlocks(db).updateOne({ _id: block!._id }, { $set: { tenants: ['someone-else'] } });
    const v = await verifyAuditChains(db);
    expect(v.problems).toEqual([expect.objectContaining({ chainId, kind: 'altered', detail: expect.stringContaining('block summary does not match its records (tenants)') })]);
  });

  it('counts one tenant’s records and chains when asked', async () => {
    const { db } = await chainOf(50);
    expect((await verifyAuditChains(db, { tenantId: 'beta' })).tenant).toEqual({ chains: 1, records: 5 });
  });

  it('verifies one chain on request', async () => {
    const { db, chainId } = await chainOf(20);
    expect(await verifyAuditChains(db, { chainId })).toMatchObject({ ok: true, chains: 1, records: 20 });
  });
});
