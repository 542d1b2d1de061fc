import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError, platformKeyId } from './secret-box.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

function flipChar(s: string, index: number): string {
  const c = s[index] === 'A' ? 'B' : 'A';
  return s.slice(0, index) + c + s.slice(index + 1);
}

function errorOf(fn: () => unknown): SecretBoxError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error('expected a SecretBoxError');
}

describe('SecretBox', () => {
  it('round-trips text and bytes with the same associated data', () => {
    const box = new SecretBox({ current: keyA, previous: [] });
    const sealed = box.seal('wJalrXUtnFEMI/K7MDENG', 'keystore:acme:aws-1:secretAccessKey');
    expect(sealed).toMatch(/^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed.split('.')[1]).toBe(platformKeyId(keyA));
    expect(box.openText(sealed, 'keystore:acme:aws-1:secretAccessKey')).toBe('wJalrXUtnFEMI/K7MDENG');

    const bytes = randomBytes(100);
    expect(box.open(box.seal(bytes, 'ca:issuing'), 'ca:issuing').equals(bytes)).toBe(true);
  });

  it('uses a fresh IV every time', () => {
    const box = new SecretBox({ current: keyA, previous: [] });
    expect(box.seal('same', 'x')).not.toBe(box.seal('same', 'x'));
  });

  it('refuses the wrong associated data without echoing anything', () => {
    const box = new SecretBox({ current: keyA, previous: [] });
    const sealed = box.seal('hunter2-pin', 'pkcs11:acme:hsm:pin');
    const error = errorOf(() => box.open(sealed, 'pkcs11:other:hsm:pin'));
    expect(error.code).toBe('authentication-failed');
    expect(error.message).not.toContain(sealed.split('.')[2]!.slice(0, 10));
    expect(error.message).not.toContain('hunter2');
  });

  it('detects tampering anywhere in the body', () => {
    const box = new SecretBox({ current: keyA, previous: [] });
    const sealed = box.seal('secret value', 'aad');
    const prefix = sealed.lastIndexOf('.') + 1;
    for (let i = prefix; i < sealed.length - 1; i += 3) {
      const tampered = flipChar(sealed, i);
      if (tampered === sealed) continue;
      expect(errorOf(() => box.open(tampered, 'aad')).code).toBe('authentication-failed');
    }
  });

  it('rejects malformed input with a typed error that does not quote it', () => {
    const box = new SecretBox({ current: keyA, previous: [] });
    for (const bad of ['', 'v1', 'v2.0011223344556677.AAAA', 'v1.xyz.AAAA', 'v1.0011223344556677.AA', 'v1.0011223344556677.a$b', 'v1.a.b.c']) {
      const error = errorOf(() => box.open(bad, 'aad'));
      expect(['malformed', 'unknown-key']).toContain(error.code);
      if (bad.length > 4) expect(error.message).not.toContain(bad);
    }
  });

  it('names an unknown key id but does not open under another key', () => {
    const sealed = new SecretBox({ current: keyB, previous: [] }).seal('x', 'aad');
    expect(errorOf(() => new SecretBox({ current: keyA, previous: [] }).open(sealed, 'aad')).code).toBe('unknown-key');
  });

  it('opens values sealed under a previous key and re-seals them under the current one', () => {
    const old = new SecretBox({ current: keyA, previous: [] });
    const sealed = old.seal('client-secret', 'azure:acme:kv');
    const rotated = new SecretBox({ current: keyB, previous: [keyA] });
    expect(rotated.needsResealing(sealed)).toBe(true);
    expect(rotated.openText(sealed, 'azure:acme:kv')).toBe('client-secret');
    const resealed = rotated.reseal(sealed, 'azure:acme:kv');
    expect(rotated.needsResealing(resealed)).toBe(false);
    expect(new SecretBox({ current: keyB, previous: [] }).openText(resealed, 'azure:acme:kv')).toBe('client-secret');
  });

  it('requires associated data and 32-byte keys', () => {
    const box = new SecretBox({ current: keyA, previous: [] });
    expect(errorOf(() => box.seal('x', '')).code).toBe('invalid-argument');
    expect(() => new SecretBox({ current: randomBytes(16), previous: [] })).toThrow(SecretBoxError);
  });

  it('stops working once destroyed, and does not zero the caller keys', () => {
    const key = randomBytes(32);
    const box = new SecretBox({ current: key, previous: [] });
    const sealed = box.seal('x', 'aad');
    box.destroy();
    expect(key.some((b) => b !== 0)).toBe(true);
    expect(() => box.open(sealed, 'aad')).toThrow(SecretBoxError);
    expect(() => box.seal('x', 'aad')).toThrow(SecretBoxError);
  });
});
