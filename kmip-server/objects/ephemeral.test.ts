import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isEphemeralObjectId } from '../../lib/audit/blocks.js';
import { UnwrappedL2Key } from '../../lib/keys/l2-key.js';
import { deriveEphemeralKey, isEphemeralId, mintEphemeralId, parseEphemeralId, verifyEphemeralId } from './ephemeral.js';

const l2 = (tenant = 'acme', version = 3, material = randomBytes(32)): UnwrappedL2Key => new UnwrappedL2Key(tenant, version, Buffer.from(material));

describe('ephemeral key identifiers', () => {
  it('carry tenant, L2 version, nonce and tag, and re-derive the same key', () => {
    const material = randomBytes(32);
    const key = l2('acme', 3, material);
    const id = mintEphemeralId(key);
    expect(id).toMatch(/^e1\.acme\.3\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{11}$/);
    expect(isEphemeralId(id)).toBe(true);
    // The audit trail's block summaries flag these instead of indexing each one.
    expect(isEphemeralObjectId(id)).toBe(true);
    const parsed = parseEphemeralId(id)!;
    expect(parsed).toMatchObject({ tenantId: 'acme', l2Version: 3 });
    expect(verifyEphemeralId(key, parsed)).toBe(true);
    // A fresh unwrap of the same L2 (another worker, another node) derives the same key.
    expect(deriveEphemeralKey(l2('acme', 3, material), parsed).equals(deriveEphemeralKey(key, parsed))).toBe(true);
    expect(deriveEphemeralKey(key, parsed)).toHaveLength(32);
  });

  it('gives every identifier its own key', () => {
    const key = l2();
    const a = parseEphemeralId(mintEphemeralId(key))!;
    const b = parseEphemeralId(mintEphemeralId(key))!;
    expect(deriveEphemeralKey(key, a).equals(deriveEphemeralKey(key, b))).toBe(false);
  });

  it('rejects forged, altered and foreign identifiers', () => {
    const key = l2();
    const id = mintEphemeralId(key);
    const parsed = parseEphemeralId(id)!;
    expect(verifyEphemeralId(l2(), parsed)).toBe(false); // another L2 with the same tenant and version
    expect(verifyEphemeralId(l2('other', 3), parsed)).toBe(false);
    for (let i = 0; i < id.length; i++) {
      const c = id[i] === 'A' ? 'B' : 'A';
      const altered = parseEphemeralId(id.slice(0, i) + c + id.slice(i + 1));
      if (altered) expect(verifyEphemeralId(key, altered), `position ${i}`).toBe(false);
    }
    for (const bad of ['', 'e1.', 'e1.acme.0.x.y', 'e1.ACME.3.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbb', `${id}.`, id.replace('e1.', 'e2.')]) {
      expect(parseEphemeralId(bad)).toBeUndefined();
    }
  });

  it('refuses non-canonical tag spellings (the spare bits of the last base64url character)', () => {
    const key = l2();
    const id = mintEphemeralId(key);
    const last = id[id.length - 1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[(alphabet.indexOf(last) ^ 1) % 64]!;
    const variant = parseEphemeralId(id.slice(0, -1) + twin)!;
    expect(verifyEphemeralId(key, variant)).toBe(false);
  });
});
