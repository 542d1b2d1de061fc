import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditWriter, ensureAuditIndexes, verifyAuditChains } from '../../../lib/audit/index.js';
import { auditRecords, tamperAuditChain } from '../../support/audit-records.js';
import { type FerretDb, startFerretDb } from '../pki/support/ferretdb.js';

let ferret: FerretDb;
let mongo: MongoClient;

beforeAll(async () => {
  ferret = await startFerretDb();
  mongo = await new MongoClient(ferret.uri).connect();
});
afterAll(async () => {
  await mongo?.close();
  await ferret?.stop();
});

describe('verifyAuditChains at scale', () => {
  it('walks 100 000 records across 4 chains and still finds a single altered one', { timeout: 300_000 }, async () => {
    const db = mongo.db('verify_scale');
    await ensureAuditIndexes(db);
    const writers = Array.from({ length: 4 }, () => new AuditWriter({ db, role: 'kmip', batchSize: 1000, bufferLimit: 30_000 }));
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) {
      writers[i % 4]!.record({
        tenantId: `tenant-${i % 7}`,
        actor: { kind: 'service', id: `spiffe://openkcm/tenant/tenant-${i % 7}/service/mongo` },
        operation: i % 3 ? 'kmip.Get' : 'kmip.Create',
        objectId: `obj-${i}`,
        l2Version: 1,
        result: 'success',
        latencyMs: 0.3,
        clientAddress: '127.0.0.1',
      });
      if (i % 20_000 === 19_999) await Promise.all(writers.map((w) => w.flush(120_000)));
    }
    await Promise.all(writers.map((w) => w.close(120_000)));
    const writeMs = performance.now() - t0;

    const clean = await verifyAuditChains(db);
    expect(clean).toMatchObject({ ok: true, chains: 4, records: 100_000 });
    console.log(`audit scale: wrote 100k in ${Math.round(writeMs)} ms, verified in ${Math.round(clean.durationMs)} ms`);
    expect(clean.durationMs).toBeLessThan(60_000);

    const victimChain = writers[2]!.chainId;
    const [victim] = (await auditRecords(db, { chainId: victimChain })).filter((r) => r.seq === 12_345);
    await tamperAuditChain(db, victimChain, (records) => records.map((r) => (r.seq === 12_345 ? { ...r, tenantId: 'tenant-x' } : r)));
    const dirty = await verifyAuditChains(db);
    expect(dirty.problems).toEqual([expect.objectContaining({ seq: 12_345, kind: 'altered', recordId: victim!._id.toHexString() })]);
  });
});
