import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AeadError, aeadOpen, aeadSeal } from './aead.js';

const key = randomBytes(32);
const aad = Buffer.from('tenant-a/object-1');

describe('AES-256-GCM seal/open', () => {
  it('round-trips, including empty plaintext', () => {
    for (const plaintext of [Buffer.alloc(0), Buffer.from('secret'), randomBytes(96)]) {
      expect(aeadOpen(key, aeadSeal(key, plaintext, aad), aad).equals(plaintext)).toBe(true);
    }
  });

  it('uses a fresh IV each time', () => {
    const plaintext = Buffer.from('same');
    expect(aeadSeal(key, plaintext, aad).equals(aeadSeal(key, plaintext, aad))).toBe(false);
  });

  it('rejects wrong associated data, a wrong key and every single flipped bit', () => {
    const sealed = aeadSeal(key, Buffer.from('secret'), aad);
    expect(() => aeadOpen(key, sealed, Buffer.from('tenant-b/object-1'))).toThrow(AeadError);
    expect(() => aeadOpen(randomBytes(32), sealed, aad)).toThrow(AeadError);
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const tampered = Buffer.from(sealed);
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      expect(() => aeadOpen(key, tampered, aad)).toThrow(AeadError);
    }
  });

  it('rejects truncated input without touching the cipher', () => {
    expect(() => aeadOpen(key, Buffer.alloc(10), aad)).toThrow(/malformed/);
  });
});
