import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CsrError, createCsr, verifyCsr } from './csr.js';
import { asn1, fromPemAll, name, seq, signStructure, smallInt, spkiNode, toPem } from './der.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CsrError);
    return (error as CsrError).code;
  }
  throw new Error('expected CsrError');
}

describe('verifyCsr', () => {
  it.each([
    ['ec', { namedCurve: 'P-256' }, 'ec-p256'],
    ['ec', { namedCurve: 'P-384' }, 'ec-p384'],
    ['rsa', { modulusLength: 2048 }, 'rsa-2048'],
  ] as const)('accepts %s %o and returns its public key', (type, opts, algorithm) => {
    const { privateKey, publicKey } = generateKeyPairSync(type as 'ec', opts as { namedCurve: string });
    const csr = createCsr(privateKey, { O: 'ignored', CN: 'ignored' });
    const verified = verifyCsr(csr);
    expect(verified.keyAlgorithm).toBe(algorithm);
    expect(verified.publicKey.equals(publicKey)).toBe(true);
    // DER input too
    expect(verifyCsr(fromPemAll(csr, ['CERTIFICATE REQUEST'])[0]!).keyAlgorithm).toBe(algorithm);
  });

  it('refuses weak or foreign key types', () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(codeOf(() => verifyCsr(createCsr(rsa1024)))).toBe('unsupported-key');
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
    expect(() => createCsr(p521)).toThrow(); // our own signer refuses too
  });

  it('refuses a CSR whose signature does not cover its content (proof of possession)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = fromPemAll(createCsr(privateKey, { CN: 'aaaa' }), ['CERTIFICATE REQUEST'])[0]!;
    const at = der.indexOf(Buffer.from('aaaa'));
    der[at] = 'b'.charCodeAt(0);
    expect(codeOf(() => verifyCsr(toPem('CERTIFICATE REQUEST', der)))).toBe('bad-signature');
  });

  it('refuses a CSR carrying one key but signed by another', () => {
    const a = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const attributes = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, []);
    const info = seq([smallInt(0), name({ CN: 'x' }), spkiNode(a.publicKey), attributes]);
    const forged = toPem('CERTIFICATE REQUEST', signStructure(info, b.privateKey));
    expect(codeOf(() => verifyCsr(forged))).toBe('bad-signature');
  });

  it('refuses garbage, empty and multi-block input', () => {
    expect(codeOf(() => verifyCsr('not a csr'))).toBe('malformed');
    expect(codeOf(() => verifyCsr(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00])))).toBe('malformed');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = createCsr(privateKey);
    expect(codeOf(() => verifyCsr(csr + csr))).toBe('malformed');
    expect(codeOf(() => verifyCsr('-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n'))).toBe('malformed');
    expect(codeOf(() => verifyCsr(Buffer.alloc(20_000, 0x30)))).toBe('malformed');
  });
});
