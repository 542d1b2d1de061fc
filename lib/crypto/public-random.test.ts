import { describe, expect, it } from 'vitest';
import { publicRandomBase64url, publicRandomBytes } from './public-random.js';

describe('public random values', () => {
  it('never repeats a value across pool refills, and each buffer is its own copy', () => {
    const seen = new Set<string>();
    // 2 000 × 16 bytes crosses the 4 KiB pool several times.
    for (let i = 0; i < 2000; i++) seen.add(publicRandomBytes(16).toString('hex'));
    expect(seen.size).toBe(2000);
    const a = publicRandomBytes(12);
    const copy = Buffer.from(a);
    publicRandomBytes(4096); // refills the pool: `a` must not change with it
    expect(a).toEqual(copy);
  });

  it('gives base64url text of the requested number of bytes', () => {
    const text = publicRandomBase64url(16);
    expect(text).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(text, 'base64url')).toHaveLength(16);
    expect(publicRandomBase64url(16)).not.toBe(text);
  });

  it('refuses sizes the pool cannot serve', () => {
    expect(() => publicRandomBytes(0)).toThrow(RangeError);
    expect(() => publicRandomBytes(4097)).toThrow(RangeError);
    expect(() => publicRandomBytes(1.5)).toThrow(RangeError);
  });
});
