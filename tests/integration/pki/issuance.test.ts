import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateStateError,
  CsrError,
  InvalidIdentityError,
  PlatformPki,
  createCsr,
  type IssuedKeyPair,
} from '../../../lib/pki/index.js';
import { SecretBox } from '../../../lib/secrets/index.js';
import { type FerretDb, startFerretDb } from './support/ferretdb.js';
import { files, openssl, tempDir } from './support/openssl.js';

let ferret: FerretDb;
let mongo: MongoClient;
let pki: PlatformPki;

beforeAll(async () => {
  ferret = await startFerretDb();
  mongo = await new MongoClient(ferret.uri).connect();
  pki = await PlatformPki.open(mongo.db('issuance'), new SecretBox({ current: randomBytes(32), previous: [] }));
});
afterAll(async () => {
  await mongo?.close();
  await ferret?.stop();
});

function opensslVerify(leafPem: string, purpose: 'sslclient' | 'sslserver', extra: string[] = []): string {
  const f = files({ 'root.pem': pki.rootCertificatePem, 'issuing.pem': pki.issuingCertificatePem, 'leaf.pem': leafPem });
  const r = openssl(['verify', '-x509_strict', '-purpose', purpose, ...extra, '-CAfile', f['root.pem']!, '-untrusted', f['issuing.pem']!, f['leaf.pem']!]);
  return `${r.code} ${r.stdout}${r.stderr}`;
}

describe('service certificates', () => {
  it('issues from an OpenSSL CSR, ignoring the subject and SANs the requester asked for', async () => {
    const dir = tempDir();
    const gen = openssl([
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', `${dir}/key.pem`, '-out', `${dir}/req.pem`,
      '-subj', '/O=victim-tenant/CN=admin', '-addext', 'subjectAltName=URI:spiffe://openkcm/tenant/victim-tenant/service/admin,DNS:evil.example',
    ]);
    expect(gen.code).toBe(0);
    const csr = openssl(['req', '-in', `${dir}/req.pem`]).stdout;
    const issued = await pki.issueServiceCertificate({ tenantId: 'acme', serviceId: 'mongo-1', csr });

    const x = new X509Certificate(issued.certificatePem);
    expect(x.subject).toBe('O=acme\nCN=mongo-1');
    expect(x.subjectAltName).toBe('URI:spiffe://openkcm/tenant/acme/service/mongo-1');
    expect(x.verify(pki.ca.issuing.publicKey)).toBe(true);
    expect(issued.spiffeId).toBe('spiffe://openkcm/tenant/acme/service/mongo-1');
    const days = (issued.notAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const text = openssl(['x509', '-noout', '-text'], issued.certificatePem).stdout;
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('TLS Web Client Authentication');
    expect(text).toContain('CA:FALSE');
    expect(text).not.toContain('evil.example');
    expect(opensslVerify(issued.certificatePem, 'sslclient')).toMatch(/^0 .*: OK/s);
    expect(opensslVerify(issued.certificatePem, 'sslserver')).not.toMatch(/^0 /); // clientAuth only

    // the key OpenSSL generated matches the certificate
    const keyPem = openssl(['pkey', '-in', `${dir}/key.pem`]).stdout;
    expect(() => tls.createSecureContext({ key: keyPem, cert: issued.chainPem })).not.toThrow();

    const record = await pki.getCertificate(issued.serial);
    expect(record).toMatchObject({ kind: 'service', tenantId: 'acme', serviceId: 'mongo-1', status: 'active', keySource: 'csr', keyAlgorithm: 'ec-p256' });
    expect(record?.fingerprint256).toBe(x.fingerprint256);
  });

  it('accepts RSA-2048 and P-384 CSRs and refuses bad ones before issuing anything', async () => {
    for (const [type, opts] of [['rsa', { modulusLength: 2048 }], ['ec', { namedCurve: 'P-384' }]] as const) {
      const { privateKey } = generateKeyPairSync(type as 'ec', opts as { namedCurve: string });
      const issued = await pki.issueServiceCertificate({ tenantId: 'acme', serviceId: `svc-${type}`, csr: createCsr(privateKey) });
      expect(opensslVerify(issued.certificatePem, 'sslclient')).toMatch(/^0 /);
    }
    const before = (await pki.listCertificates({ tenantId: 'acme' })).length;
    await expect(pki.issueServiceCertificate({ tenantId: 'acme', serviceId: 'x', csr: 'garbage' })).rejects.toThrow(CsrError);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    await expect(pki.issueServiceCertificate({ tenantId: 'acme', serviceId: 'x', csr: createCsr(weak) })).rejects.toThrow(CsrError);
    const ok = createCsr(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    await expect(pki.issueServiceCertificate({ tenantId: 'Acme', serviceId: 'x', csr: ok })).rejects.toThrow(InvalidIdentityError);
    await expect(pki.issueServiceCertificate({ tenantId: 'acme', serviceId: 'x', csr: ok, validityDays: 1000 })).rejects.toThrow(RangeError);
    expect((await pki.listCertificates({ tenantId: 'acme' })).length).toBe(before);
  });

  it('generates a P-256 key once: PEM key + chain, and a PKCS#12 both OpenSSL and Node read', async () => {
    const issued: IssuedKeyPair = await pki.issueServiceKeyPair({ tenantId: 'acme', serviceId: 'mongo-gen', validityDays: 7 });
    expect(issued.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(new X509Certificate(issued.certificatePem).checkPrivateKey(createPrivateKey(issued.privateKeyPem))).toBe(true);
    expect(issued.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(issued.caPem).toBe(pki.rootCertificatePem);

    const f = files({ 'b.p12': issued.pkcs12, pw: issued.pkcs12Password });
    const info = openssl(['pkcs12', '-info', '-in', f['b.p12']!, '-passin', `file:${f.pw}`, '-nodes']);
    expect(info.code).toBe(0);
    const all = info.stdout + info.stderr;
    expect(all).toContain('MAC: sha256');
    expect(all).toContain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC');
    expect(all).toContain('friendlyName: acme/mongo-gen');
    expect(all).toContain('subject=O = acme, CN = mongo-gen');
    expect(all).toContain('subject=O = OpenKCM, CN = OpenKCM Issuing CA');
    expect(all).toMatch(/BEGIN PRIVATE KEY/);
    const wrong = openssl(['pkcs12', '-info', '-in', f['b.p12']!, '-passin', 'pass:wrong', '-nodes']);
    expect(wrong.code).not.toBe(0);
    expect(() => tls.createSecureContext({ pfx: issued.pkcs12, passphrase: issued.pkcs12Password })).not.toThrow();

    const record = await pki.getCertificate(issued.serial);
    expect(JSON.stringify(record)).not.toContain('PRIVATE KEY');
    expect(record?.keySource).toBe('generated');
  });

  it('renews an identity with a new certificate and refuses to renew a revoked one', async () => {
    const first = await pki.issueServiceKeyPair({ tenantId: 'acme', serviceId: 'renew-me' });
    const renewed = await pki.renewServiceCertificate({ serial: first.serial });
    expect(renewed.serial).not.toBe(first.serial);
    expect(renewed.spiffeId).toBe(first.spiffeId);
    expect('privateKeyPem' in renewed).toBe(true);
    const viaCsr = await pki.renewServiceCertificate({ serial: first.serial, csr: createCsr(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey) });
    expect('privateKeyPem' in viaCsr).toBe(false);
    expect((await pki.listCertificates({ tenantId: 'acme', serviceId: 'renew-me' })).map((c) => c._id)).toEqual([viaCsr.serial, renewed.serial, first.serial]);

    await pki.revoke(first.serial, 'keyCompromise');
    await expect(pki.renewServiceCertificate({ serial: first.serial })).rejects.toThrow(CertificateStateError);
  });
});

describe('KMIP server certificate', () => {
  it('is serverAuth for localhost, 127.0.0.1 and configured names, and OpenSSL checks the names', async () => {
    const server = await pki.issueServerCertificate({ dnsNames: ['kmip.internal'], ipAddresses: ['10.0.0.7'] });
    const x = new X509Certificate(server.certificatePem);
    expect(x.subjectAltName).toBe('DNS:localhost, DNS:kmip.internal, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.0.0.7');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(opensslVerify(server.certificatePem, 'sslserver', ['-verify_hostname', 'localhost'])).toMatch(/^0 /);
    expect(opensslVerify(server.certificatePem, 'sslserver', ['-verify_ip', '127.0.0.1'])).toMatch(/^0 /);
    expect(opensslVerify(server.certificatePem, 'sslserver', ['-verify_hostname', 'kmip.internal'])).toMatch(/^0 /);
    expect(opensslVerify(server.certificatePem, 'sslserver', ['-verify_hostname', 'other.example'])).not.toMatch(/^0 /);
    expect(opensslVerify(server.certificatePem, 'sslclient')).not.toMatch(/^0 /);
    expect((await pki.getCertificate(server.serial))?.kind).toBe('server');
  });
});
