import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCertificate, newSerial } from '../../lib/pki/certificate-builder.js';
import { name } from '../../lib/pki/der.js';
import { PeerIdentityError, identityFromPeerCertificate } from '../../lib/pki/identity.js';
import { normalizeSerial, serviceSpiffeId } from '../../lib/pki/names.js';
import { serverCertificateSpec, serviceCertificateSpec } from '../../lib/pki/profiles.js';
import { PeerCertificates, certificateLike } from './peer-certificates.js';

const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) };

function serviceCertificatePem(tenantId: string, serviceId: string): string {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spec = serviceCertificateSpec({ serial: newSerial(), tenantId, serviceId, publicKey, issuerSubject: name({ CN: 'test issuing CA' }), issuerKey: issuer.publicKey, validity });
  return buildCertificate(spec, issuer.privateKey).pem;
}

function service(tenantId: string, serviceId: string): X509Certificate {
  return new X509Certificate(serviceCertificatePem(tenantId, serviceId));
}

function serverCertificate(): X509Certificate {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return new X509Certificate(
    buildCertificate(serverCertificateSpec({ serial: newSerial(), dnsNames: ['localhost'], ipAddresses: [], publicKey, issuerSubject: name({ CN: 'x' }), issuerKey: issuer.publicKey, validity }), issuer.privateKey).pem,
  );
}

describe('peer identity from the X509Certificate', () => {
  it('reads tenant, service and serial exactly as from getPeerCertificate()', () => {
    const cert = service('acme', 'mongodb');
    expect(identityFromPeerCertificate(certificateLike(cert))).toEqual({ tenantId: 'acme', serviceId: 'mongodb', serial: normalizeSerial(cert.serialNumber) });
  });

  it('refuses certificates that are not service client certificates', () => {
    expect(() => identityFromPeerCertificate(certificateLike(serverCertificate()))).toThrow();
  });

  it('turns a repeated subject attribute into an array, which the identity check refuses', () => {
    const like = certificateLike(service('acme', 'mongodb'));
    expect(like.subject).toEqual({ O: 'acme', CN: 'mongodb' });
    expect(() => identityFromPeerCertificate({ ...like, subject: { O: ['acme', 'other'], CN: 'mongodb' } })).toThrow(/exactly one O/);
  });
});

describe('PeerCertificates', () => {
  it('reads identity and validity once per certificate: a new connection with the same certificate gets the same facts', () => {
    const pem = serviceCertificatePem('acme', 'mongodb');
    const certificates = new PeerCertificates();
    // Each connection hands over a fresh X509Certificate object for the same DER.
    const first = certificates.read(new X509Certificate(pem));
    const again = certificates.read(new X509Certificate(pem));
    const cert = new X509Certificate(pem);
    expect(first.peer).toEqual({ tenantId: 'acme', serviceId: 'mongodb', serial: normalizeSerial(cert.serialNumber), actorId: serviceSpiffeId('acme', 'mongodb') });
    expect(first.notBefore).toBe(Date.parse(cert.validFrom));
    expect(first.notAfter).toBe(Date.parse(cert.validTo));
    expect(again).toBe(first);
    // Shared by every connection of the certificate: nobody may change it.
    expect(Object.isFrozen(first) && Object.isFrozen(first.peer)).toBe(true);
  });

  it('keys by the whole certificate: another certificate of the same service is read on its own', () => {
    const certificates = new PeerCertificates();
    const a = certificates.read(service('acme', 'mongodb'));
    const b = certificates.read(service('acme', 'mongodb'));
    expect(b.peer.serial).not.toBe(a.peer.serial);
    expect(certificates.size).toBe(2);
  });

  it('refuses a certificate that names no service every time, and keeps nothing for it', () => {
    const certificates = new PeerCertificates();
    const server = serverCertificate();
    expect(() => certificates.read(server)).toThrow(PeerIdentityError);
    expect(() => certificates.read(server)).toThrow(PeerIdentityError);
    expect(certificates.size).toBe(0);
  });

  it('holds at most maxEntries certificates, dropping the oldest', () => {
    const certificates = new PeerCertificates(2);
    const pems = [serviceCertificatePem('acme', 'a'), serviceCertificatePem('acme', 'b'), serviceCertificatePem('acme', 'c')];
    const first = certificates.read(new X509Certificate(pems[0]!));
    certificates.read(new X509Certificate(pems[1]!));
    certificates.read(new X509Certificate(pems[2]!));
    expect(certificates.size).toBe(2);
    // The oldest was dropped: reading it again builds new facts (equal, not the same object).
    const reread = certificates.read(new X509Certificate(pems[0]!));
    expect(reread).not.toBe(first);
    expect(reread).toEqual(first);
  });
});
