import { X509Certificate, randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformPki, REVOCATION_POLL_OVERLAP_MS, revokedSerials } from '../../../lib/pki/index.js';
import { SecretBox } from '../../../lib/secrets/index.js';
import { type FerretDb, startFerretDb } from './support/ferretdb.js';
import { handshake } from './support/mtls.js';
import { files, openssl } from './support/openssl.js';

let ferret: FerretDb;
let mongo: MongoClient;
let pki: PlatformPki;

beforeAll(async () => {
  ferret = await startFerretDb();
  mongo = await new MongoClient(ferret.uri).connect();
  pki = await PlatformPki.open(mongo.db('revocation'), new SecretBox({ current: randomBytes(32), previous: [] }));
});
afterAll(async () => {
  await mongo?.close();
  await ferret?.stop();
});

describe('revocation', () => {
  it('revokes by serial, by service and by tenant, each only once', async () => {
    const a1 = await pki.issueServiceKeyPair({ tenantId: 'ten-a', serviceId: 'one' });
    const a2 = await pki.issueServiceKeyPair({ tenantId: 'ten-a', serviceId: 'two' });
    const a3 = await pki.issueServiceKeyPair({ tenantId: 'ten-a', serviceId: 'two' });
    const b1 = await pki.issueServiceKeyPair({ tenantId: 'ten-b', serviceId: 'one' });

    expect(await pki.revoke(a1.serial.toLowerCase(), 'keyCompromise')).toBe(true);
    expect(await pki.revoke(a1.serial)).toBe(false); // already revoked: reason and time stay
    expect((await pki.getCertificate(a1.serial))?.revocationReason).toBe('keyCompromise');
    expect(await pki.revokeService('ten-a', 'two')).toBe(2);
    const a4 = await pki.issueServiceKeyPair({ tenantId: 'ten-a', serviceId: 'three' });
    expect(await pki.revokeTenant('ten-a')).toBe(1);
    expect(await pki.revokeTenant('ten-a')).toBe(0);

    const active = await pki.listCertificates({ tenantId: 'ten-a', status: 'active' });
    expect(active).toEqual([]);
    const { serials } = await pki.revokedSerials();
    expect(new Set(serials)).toEqual(new Set([a1.serial, a2.serial, a3.serial, a4.serial]));
    expect(serials).not.toContain(b1.serial);
  });

  it('lets a poller pick up new revocations cheaply with asOf → since', async () => {
    const first = await pki.revokedSerials();
    const fresh = await pki.issueServiceKeyPair({ tenantId: 'ten-c', serviceId: 'poll' });
    await pki.revoke(fresh.serial);
    const next = await pki.revokedSerials(first.asOf);
    expect(next.serials).toContain(fresh.serial);
    // far in the future: nothing new (older entries fall outside the overlap window)
    const later = await revokedSerials(mongo.db('revocation'), new Date(Date.now() + REVOCATION_POLL_OVERLAP_MS + 60_000));
    expect(later.serials).toEqual([]);
  });

  it('exports a CRL signed by the issuing CA that OpenSSL verifies and enforces', async () => {
    const revoked = await pki.issueServiceKeyPair({ tenantId: 'ten-d', serviceId: 'gone' });
    const kept = await pki.issueServiceKeyPair({ tenantId: 'ten-d', serviceId: 'kept' });
    await pki.revoke(revoked.serial, 'superseded');
    const crl = await pki.crlPem();
    const crl2 = await pki.crlPem();

    const f = files({
      'root.pem': pki.rootCertificatePem,
      'issuing.pem': pki.issuingCertificatePem,
      'crl.pem': crl,
      'crl2.pem': crl2,
      'revoked.pem': revoked.certificatePem,
      'kept.pem': kept.certificatePem,
    });
    const text = openssl(['crl', '-in', f['crl.pem']!, '-noout', '-text', '-CAfile', f['issuing.pem']!]);
    expect(text.stderr + text.stdout).toMatch(/verify OK/);
    expect(text.stdout).toContain('Version 2');
    expect(text.stdout).toContain('Issuer: O = OpenKCM, CN = OpenKCM Issuing CA');
    expect(text.stdout).toContain(`Serial Number: ${revoked.serial}`);
    expect(text.stdout).toContain('Superseded');
    const number = (pem: string): number => Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(openssl(['crl', '-noout', '-text'], pem).stdout)?.[1]);
    expect(number(crl2)).toBe(number(crl) + 1);

    // -crl_check: the leaf against the CRL (the CA chain itself has no CRL to check)
    const check = (leaf: string): { code: number; out: string } => {
      const r = openssl(['verify', '-crl_check', '-CAfile', f['root.pem']!, '-untrusted', f['issuing.pem']!, '-CRLfile', f['crl.pem']!, leaf]);
      return { code: r.code, out: r.stdout + r.stderr };
    };
    expect(check(f['revoked.pem']!).out).toMatch(/certificate revoked/);
    expect(check(f['kept.pem']!)).toMatchObject({ code: 0 });
  });

  it('produces a valid empty CRL (no revokedCertificates field)', async () => {
    const db = mongo.db('revocation-empty');
    const empty = await PlatformPki.open(db, new SecretBox({ current: randomBytes(32), previous: [] }));
    const f = files({ 'issuing.pem': empty.issuingCertificatePem, 'crl.pem': await empty.crlPem() });
    const r = openssl(['crl', '-in', f['crl.pem']!, '-noout', '-text', '-CAfile', f['issuing.pem']!]);
    expect(r.stdout + r.stderr).toMatch(/verify OK/);
    expect(r.stdout).toContain('No Revoked Certificates');
  });

  it('a KMIP-style server refuses a revoked client using the serial set', async () => {
    const server = await pki.issueServerCertificate();
    const svc = await pki.issueServiceKeyPair({ tenantId: 'ten-e', serviceId: 'svc' });
    const client = { key: svc.privateKeyPem, cert: svc.chainPem, ca: svc.caPem };
    const opts = { key: server.privateKeyPem, cert: server.chainPem, ca: server.trustBundlePem };
    const before = await handshake(opts, client);
    expect(before.ok).toBe(true);
    await pki.revokeService('ten-e', 'svc');
    const revokedSet = new Set((await pki.revokedSerials()).serials);
    // TLS still succeeds (the chain is valid); the server's identity check is what refuses
    const after = await handshake(opts, client);
    expect(after.ok).toBe(true);
    expect(revokedSet.has(new X509Certificate(svc.certificatePem).serialNumber)).toBe(true);
  });
});
