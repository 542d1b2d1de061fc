import { X509Certificate, randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkiIntegrityError, PlatformPki } from '../../../lib/pki/index.js';
import { type CaDocument, PKI_COLLECTION } from '../../../lib/pki/store.js';
import { SecretBox } from '../../../lib/secrets/index.js';
import { type FerretDb, startFerretDb } from './support/ferretdb.js';
import { files, openssl } from './support/openssl.js';

let ferret: FerretDb;
const clients: MongoClient[] = [];
const platformKey = randomBytes(32);

async function client(): Promise<MongoClient> {
  const c = new MongoClient(ferret.uri, { serverSelectionTimeoutMS: 5_000 });
  await c.connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  ferret = await startFerretDb();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await ferret?.stop();
});

describe('platform CA bootstrap', () => {
  it('ends with one root and one issuing CA when several processes start at once', async () => {
    const dbs = await Promise.all(Array.from({ length: 4 }, async () => (await client()).db('ca_race')));
    const pkis = await Promise.all(dbs.map((db) => PlatformPki.open(db, new SecretBox({ current: platformKey, previous: [] }))));
    const roots = new Set(pkis.map((p) => p.ca.root.certificate.fingerprint256));
    const issuers = new Set(pkis.map((p) => p.ca.issuing.certificate.fingerprint256));
    expect(roots.size).toBe(1);
    expect(issuers.size).toBe(1);
    const docs = await dbs[0]!.collection<CaDocument>(PKI_COLLECTION).find({}).toArray();
    expect(docs.map((d) => d._id).sort()).toEqual(['issuing-ca', 'root-ca']);

    // every process can sign with the surviving issuing key
    for (const pki of pkis) {
      const issued = await pki.issueServiceKeyPair({ tenantId: 'acme', serviceId: 'race' });
      expect(new X509Certificate(issued.certificatePem).verify(pkis[0]!.ca.issuing.publicKey)).toBe(true);
    }
  });

  it('stores CA keys sealed, never in clear, and re-opens them on the next start', async () => {
    const db = (await client()).db('ca_sealed');
    const first = await PlatformPki.open(db, new SecretBox({ current: platformKey, previous: [] }));
    const raw = JSON.stringify(await db.collection(PKI_COLLECTION).find({}).toArray());
    expect(raw).not.toMatch(/PRIVATE KEY/);
    const docs = await db.collection<CaDocument>(PKI_COLLECTION).find({}).toArray();
    for (const d of docs) expect(d.sealedPrivateKey).toMatch(/^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]+$/);
    const again = await PlatformPki.open(db, new SecretBox({ current: platformKey, previous: [] }));
    expect(again.ca.issuing.certificate.fingerprint256).toBe(first.ca.issuing.certificate.fingerprint256);
    expect(docs.find((d) => d._id === 'root-ca')?.keyAlgorithm).toBe('ec-p384');
    expect(docs.find((d) => d._id === 'issuing-ca')?.keyAlgorithm).toBe('ec-p256');
  });

  it('refuses to start with another platform key or a swapped sealed key (fail closed)', async () => {
    const db = (await client()).db('ca_integrity');
    await PlatformPki.open(db, new SecretBox({ current: platformKey, previous: [] }));
    await expect(PlatformPki.open(db, new SecretBox({ current: randomBytes(32), previous: [] }))).rejects.toThrow(PkiIntegrityError);

    const pki = db.collection<CaDocument>(PKI_COLLECTION);
    const root = (await pki.findOne({ _id: 'root-ca' }))!;
    const issuing = (await pki.findOne({ _id: 'issuing-ca' }))!;
    await pki.updateOne({ _id: 'issuing-ca' }, { $set: { sealedPrivateKey: root.sealedPrivateKey } });
    await expect(PlatformPki.open(db, new SecretBox({ current: platformKey, previous: [] }))).rejects.toThrow(/issuing-ca private key/);
    await pki.updateOne({ _id: 'issuing-ca' }, { $set: { sealedPrivateKey: issuing.sealedPrivateKey } });
    await expect(PlatformPki.open(db, new SecretBox({ current: platformKey, previous: [] }))).resolves.toBeInstanceOf(PlatformPki);
  });

  it('builds CA certificates OpenSSL accepts as a chain of CAs', async () => {
    const db = (await client()).db('ca_openssl');
    const pki = await PlatformPki.open(db, new SecretBox({ current: platformKey, previous: [] }));
    const f = files({ 'root.pem': pki.rootCertificatePem, 'issuing.pem': pki.issuingCertificatePem });
    const verify = openssl(['verify', '-x509_strict', '-CAfile', f['root.pem']!, f['issuing.pem']!]);
    expect(verify.stdout + verify.stderr).toContain(': OK');
    expect(verify.code).toBe(0);
    const text = openssl(['x509', '-in', f['issuing.pem']!, '-noout', '-text']).stdout;
    expect(text).toContain('CA:TRUE, pathlen:0');
    expect(text).toContain('Certificate Sign, CRL Sign');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA384');
    expect(text).toContain('NIST CURVE: P-256');
  });
});
