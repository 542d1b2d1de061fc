import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import tls from 'node:tls';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { buildCertificate, newSerial } from './certificate-builder.js';
import { buildPkcs12, pkcs12Kdf, randomPassword } from './pkcs12.js';
import { rootCaSpec } from './profiles.js';

describe('pkcs12Kdf', () => {
  it('matches node-forge’s independent RFC 7292 implementation', () => {
    const salt = randomBytes(16);
    for (const [id, len] of [[3, 32], [1, 32], [2, 16], [1, 70]] as const) {
      const ours = pkcs12Kdf('s3cr3t-Pässword', salt, id, 1000, len);
      const md = forge.md.sha256.create();
      const theirs = forge.pkcs12.generateKey('s3cr3t-Pässword', new forge.util.ByteStringBuffer(salt.toString('binary')), id, 1000, len, md);
      expect(ours.toString('hex')).toBe(Buffer.from(theirs.getBytes(), 'binary').toString('hex'));
    }
  });
});

describe('buildPkcs12', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const cert = buildCertificate(
    rootCaSpec(newSerial(), key.publicKey, { notBefore: new Date(now - 1000), notAfter: new Date(now + 86_400_000) }),
    key.privateKey,
  );

  it('produces a bundle Node’s TLS loads with the password, and only with it', () => {
    const password = randomPassword();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const p12 = buildPkcs12({ privateKey: key.privateKey, certificates: [cert.der], password, friendlyName: 'acme/mongo' });
    expect(() => tls.createSecureContext({ pfx: p12, passphrase: password })).not.toThrow();
    expect(() => tls.createSecureContext({ pfx: p12, passphrase: `${password}x` })).toThrow();
  });

  it('holds the EC key in a PBES2 shrouded bag that decrypts to the same key', () => {
    const password = randomPassword();
    const p12 = buildPkcs12({ privateKey: key.privateKey, certificates: [cert.der], password });
    // forge can walk the structure and decrypt PBES2 even though it cannot build EC bundles
    const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), true, password);
    const bags = parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]!;
    expect(bags).toHaveLength(1);
    const asn1Key = bags[0]!.asn1!;
    const der = Buffer.from(forge.asn1.toDer(asn1Key).getBytes(), 'binary');
    const recovered = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    expect(new X509Certificate(cert.pem).checkPrivateKey(recovered)).toBe(true);
  });

  it('rejects weak passwords and empty chains', () => {
    expect(() => buildPkcs12({ privateKey: key.privateKey, certificates: [cert.der], password: 'short' })).toThrow(/password/);
    expect(() => buildPkcs12({ privateKey: key.privateKey, certificates: [], password: randomPassword() })).toThrow();
  });
});
