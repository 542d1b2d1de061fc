import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCertificate, newSerial } from '../../lib/pki/certificate-builder.js';
import { name } from '../../lib/pki/der.js';
import { identityFromPeerCertificate } from '../../lib/pki/identity.js';
import { normalizeSerial } from '../../lib/pki/names.js';
import { serverCertificateSpec, serviceCertificateSpec } from '../../lib/pki/profiles.js';
import { certificateLike } from './listener.js';

const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) };

function service(tenantId: string, serviceId: string): X509Certificate {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spec = serviceCertificateSpec({ serial: newSerial(), tenantId, serviceId, publicKey, issuerSubject: name({ CN: 'test issuing CA' }), issuerKey: issuer.publicKey, validity });
  return new X509Certificate(buildCertificate(spec, issuer.privateKey).pem);
}

describe('peer identity from the X509Certificate', () => {
  it('reads tenant, service and serial exactly as from getPeerCertificate()', () => {
    const cert = service('acme', 'mongodb');
    expect(identityFromPeerCertificate(certificateLike(cert))).toEqual({ tenantId: 'acme', serviceId: 'mongodb', serial: normalizeSerial(cert.serialNumber) });
  });

  it('refuses certificates that are not service client certificates', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const server = new X509Certificate(
      buildCertificate(serverCertificateSpec({ serial: newSerial(), dnsNames: ['localhost'], ipAddresses: [], publicKey, issuerSubject: name({ CN: 'x' }), issuerKey: issuer.publicKey, validity }), issuer.privateKey).pem,
    );
    expect(() => identityFromPeerCertificate(certificateLike(server))).toThrow();
  });

  it('turns a repeated subject attribute into an array, which the identity check refuses', () => {
    const like = certificateLike(service('acme', 'mongodb'));
    expect(like.subject).toEqual({ O: 'acme', CN: 'mongodb' });
    expect(() => identityFromPeerCertificate({ ...like, subject: { O: ['acme', 'other'], CN: 'mongodb' } })).toThrow(/exactly one O/);
  });
});
