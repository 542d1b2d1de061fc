import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hkdfExpand, hkdfExtract } from './hkdf.js';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('HKDF', () => {
  it('matches RFC 5869 test case 1', () => {
    const prk = hkdfExtract(hex('000102030405060708090a0b0c'), hex('0b'.repeat(22)));
    expect(prk.toString('hex')).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    const okm = hkdfExpand(prk, hex('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(okm.toString('hex')).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('agrees with crypto.hkdfSync for every output length and input', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 1, max: 200 }),
        (salt, ikm, info, length) => {
          const ours = hkdfExpand(hkdfExtract(Buffer.from(salt), Buffer.from(ikm)), Buffer.from(info), length);
          const node = Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
          expect(ours.equals(node)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('expands with SHA-512 as crypto.hkdfSync does, for every output length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 1, max: 300 }), (ikm, info, length) => {
        // Without a salt, Extract is HMAC-SHA512 keyed with 64 zero bytes (RFC 5869, 2.2).
        const prk = createHmac('sha512', Buffer.alloc(64)).update(ikm).digest();
        const ours = hkdfExpand(prk, Buffer.from(info), length, 'sha512');
        const node = Buffer.from(hkdfSync('sha512', ikm, Buffer.alloc(0), info, length));
        expect(ours.equals(node)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses impossible lengths', () => {
    const prk = Buffer.alloc(32, 1);
    expect(() => hkdfExpand(prk, Buffer.alloc(0), 0)).toThrow(RangeError);
    expect(() => hkdfExpand(prk, Buffer.alloc(0), 255 * 32 + 1)).toThrow(RangeError);
    expect(() => hkdfExpand(prk, Buffer.alloc(0), 255 * 64 + 1, 'sha512')).toThrow(RangeError);
    expect(hkdfExpand(prk, Buffer.alloc(0), 255 * 64, 'sha512')).toHaveLength(255 * 64);
  });
});
