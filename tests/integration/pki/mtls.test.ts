import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCertificate, newSerial } from '../../../lib/pki/certificate-builder.js';
import { PlatformPki, type ServerCertificate, createCsr, identityFromPeerCertificate } from '../../../lib/pki/index.js';
import { ISSUING_CA_SUBJECT, serviceCertificateSpec } from '../../../lib/pki/profiles.js';
import { name } from '../../../lib/pki/der.js';
import { SecretBox } from '../../../lib/secrets/index.js';
import { type FerretDb, startFerretDb } from './support/ferretdb.js';
import { handshake } from './support/mtls.js';

let ferret: FerretDb;
let mongo: MongoClient;
let pki: PlatformPki;
let server: ServerCertificate;
let serverOptions: { key: string; cert: string; ca: string };

beforeAll(async () => {
  ferret = await startFerretDb();
  mongo = await new MongoClient(ferret.uri).connect();
  pki = await PlatformPki.open(mongo.db('mtls'), new SecretBox({ current: randomBytes(32), previous: [] }));
  server = await pki.issueServerCertificate();
  serverOptions = { key: server.privateKeyPem, cert: server.chainPem, ca: server.trustBundlePem };
});
afterAll(async () => {
  await mongo?.close();
  await ferret?.stop();
});

describe('mutual TLS with issued certificates', () => {
  it.each(['TLSv1.3', 'TLSv1.2'] as const)('authenticates a generated P-256 service identity over %s', async (version) => {
    const svc = await pki.issueServiceKeyPair({ tenantId: 'acme', serviceId: 'mongo-1' });
    const r = await handshake(serverOptions, {
      key: svc.privateKeyPem,
      cert: svc.chainPem,
      ca: svc.caPem,
      minVersion: version,
      maxVersion: version,
    });
    expect(r.clientError).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.protocol).toBe(version);
    expect(identityFromPeerCertificate(r.peer)).toEqual({ tenantId: 'acme', serviceId: 'mongo-1', serial: svc.serial });
  });

  it('accepts a client that sends only its leaf, a PKCS#12 bundle, and an RSA key from a CSR', async () => {
    const svc = await pki.issueServiceKeyPair({ tenantId: 'acme', serviceId: 'leaf-only' });
    const leafOnly = await handshake(serverOptions, { key: svc.privateKeyPem, cert: svc.certificatePem, ca: svc.caPem });
    expect(leafOnly.ok).toBe(true);

    const p12 = await handshake(serverOptions, { pfx: svc.pkcs12, passphrase: svc.pkcs12Password, ca: svc.caPem });
    expect(p12.ok).toBe(true);
    expect(identityFromPeerCertificate(p12.peer).serviceId).toBe('leaf-only');

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const issued = await pki.issueServiceCertificate({ tenantId: 'beta', serviceId: 'rsa-svc', csr: createCsr(rsa.privateKey) });
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const r = await handshake(serverOptions, {
        key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        cert: issued.chainPem,
        ca: issued.caPem,
        maxVersion: version,
      });
      expect(r.ok).toBe(true);
      expect(identityFromPeerCertificate(r.peer)).toMatchObject({ tenantId: 'beta', serviceId: 'rsa-svc' });
    }
  });

  it('refuses a look-alike certificate from another CA, and the server certificate used as a client', async () => {
    const fakeCa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Date.now();
    const forged = buildCertificate(
      serviceCertificateSpec({
        serial: newSerial(),
        tenantId: 'acme',
        serviceId: 'mongo-1',
        publicKey: key.publicKey,
        // same issuer name and authority key id as the real issuing CA, signed by another key
        issuerSubject: name(ISSUING_CA_SUBJECT),
        issuerKey: pki.ca.issuing.publicKey,
        validity: { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) },
      }),
      fakeCa.privateKey,
    );
    const forgedClient = {
      key: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      cert: forged.pem,
      ca: pki.rootCertificatePem,
    };
    expect((await handshake(serverOptions, forgedClient)).ok).toBe(false);
    expect((await handshake(serverOptions, forgedClient, 'inspect')).authorizationError).toBe('CERT_SIGNATURE_FAILURE');

    const asClient = { key: server.privateKeyPem, cert: server.chainPem, ca: pki.rootCertificatePem };
    expect((await handshake(serverOptions, asClient)).ok).toBe(false);
    expect((await handshake(serverOptions, asClient, 'inspect')).authorizationError).toBe('INVALID_PURPOSE');
  });

  it('refuses a client that presents no certificate', async () => {
    expect((await handshake(serverOptions, { ca: pki.rootCertificatePem })).ok).toBe(false);
    const inspected = await handshake(serverOptions, { ca: pki.rootCertificatePem }, 'inspect');
    expect(inspected.authorizationError).toBe('UNABLE_TO_GET_ISSUER_CERT');
    expect(() => identityFromPeerCertificate(inspected.peer)).toThrow();
  });
});
