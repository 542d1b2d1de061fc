import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCertificate, newSerial } from './certificate-builder.js';
import { certificateSubject, fromDer, ipBytes, signedPortion, toDer } from './der.js';
import { issuingCaSpec, rootCaSpec, serverCertificateSpec, serviceCertificateSpec } from './profiles.js';

const DAY = 86_400_000;
const validity = (days: number, from = Date.now()) => ({ notBefore: new Date(from - 60_000), notAfter: new Date(from + days * DAY) });

function chain() {
  const root = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const rootCert = buildCertificate(rootCaSpec(newSerial(), root.publicKey, validity(3650)), root.privateKey);
  const issuing = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuingCert = buildCertificate(
    issuingCaSpec(newSerial(), issuing.publicKey, certificateSubject(rootCert.der), root.publicKey, validity(1825)),
    root.privateKey,
  );
  return { root, rootCert, issuing, issuingCert };
}

describe('buildCertificate (ECDSA X.509 from forge.asn1 + Node crypto)', () => {
  it('builds a root → issuing → service chain that Node verifies', () => {
    const { root, rootCert, issuing, issuingCert } = chain();
    const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const leaf = buildCertificate(
      serviceCertificateSpec({
        serial: newSerial(),
        tenantId: 'acme',
        serviceId: 'mongo-1',
        publicKey: leafKey.publicKey,
        issuerSubject: certificateSubject(issuingCert.der),
        issuerKey: issuing.publicKey,
        validity: validity(30),
      }),
      issuing.privateKey,
    );
    const r = new X509Certificate(rootCert.pem);
    const i = new X509Certificate(issuingCert.pem);
    const l = new X509Certificate(leaf.pem);
    expect(r.verify(root.publicKey)).toBe(true);
    expect(r.ca).toBe(true);
    expect(i.verify(root.publicKey)).toBe(true);
    expect(i.checkIssued(r)).toBe(true);
    expect(i.ca).toBe(true);
    expect(l.verify(issuing.publicKey)).toBe(true);
    expect(l.verify(root.publicKey)).toBe(false);
    expect(l.checkIssued(i)).toBe(true);
    expect(l.ca).toBe(false);
    expect(l.subject).toBe('O=acme\nCN=mongo-1');
    expect(l.subjectAltName).toBe('URI:spiffe://openkcm/tenant/acme/service/mongo-1');
    expect(l.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(l.checkPrivateKey(leafKey.privateKey)).toBe(true);
    expect(l.serialNumber).toMatch(/^[1-7][0-9A-F]{31}$/);
  });

  it('puts DNS and IP names in server certificates and uses GeneralizedTime after 2049', () => {
    const { issuing, issuingCert } = chain();
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = buildCertificate(
      serverCertificateSpec({
        serial: newSerial(),
        dnsNames: ['localhost', 'kmip.example.org'],
        ipAddresses: ['127.0.0.1', '::1', 'fd00::5:1'],
        publicKey: key.publicKey,
        issuerSubject: certificateSubject(issuingCert.der),
        issuerKey: issuing.publicKey,
        validity: { notBefore: new Date('2049-12-31T00:00:00Z'), notAfter: new Date('2051-01-02T03:04:05Z') },
      }),
      issuing.privateKey,
    );
    const x = new X509Certificate(cert.pem);
    expect(x.subjectAltName).toBe(
      'DNS:localhost, DNS:kmip.example.org, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:5:1',
    );
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(x.validTo).toISOString()).toBe('2051-01-02T03:04:05.000Z');
    expect(new Date(x.validFrom).toISOString()).toBe('2049-12-31T00:00:00.000Z');
    expect(x.checkHost('kmip.example.org')).toBe('kmip.example.org');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('re-encodes parsed DER byte for byte (the builders rely on it for keys and names)', () => {
    const { issuingCert } = chain();
    expect(toDer(fromDer(issuingCert.der)).equals(issuingCert.der)).toBe(true);
    expect(signedPortion(issuingCert.der).length).toBeLessThan(issuingCert.der.length);
  });

  it('refuses out-of-range serials and inverted validity', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spec = rootCaSpec(Buffer.alloc(21, 1), key.publicKey, validity(1));
    expect(() => buildCertificate(spec, key.privateKey)).toThrow(/serial/);
    const inverted = rootCaSpec(newSerial(), key.publicKey, { notBefore: new Date(2), notAfter: new Date(1) });
    expect(() => buildCertificate(inverted, key.privateKey)).toThrow(/notAfter/);
  });

  it('encodes IPv4, IPv6 and IPv4-mapped addresses', () => {
    expect(ipBytes('10.1.2.3').toString('hex')).toBe('0a010203');
    expect(ipBytes('::1').toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipBytes('2001:db8::8a2e:370:7334').toString('hex')).toBe('20010db80000000000008a2e03707334');
    expect(ipBytes('::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
    expect(() => ipBytes('localhost')).toThrow();
  });
});
