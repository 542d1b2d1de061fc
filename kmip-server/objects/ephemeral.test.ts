import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isEphemeralObjectId } from '../../lib/audit/blocks.js';
import { UnwrappedL2Key } from '../../lib/keys/l2-key.js';
import { isEphemeralId, mintEphemeralId, openEphemeralId, parseEphemeralId } from './ephemeral.js';

const l2 = (tenant = 'acme', version = 3, material = randomBytes(32)): UnwrappedL2Key => new UnwrappedL2Key(tenant, version, Buffer.from(material));
const open = (key: UnwrappedL2Key, id: string): Buffer | undefined => {
  const parsed = parseEphemeralId(id);
  return parsed && openEphemeralId(key, parsed);
};

describe('ephemeral key identifiers', () => {
  it('carry tenant, L2 version, nonce and tag, and re-derive the same key', () => {
    const material = randomBytes(32);
    const key = l2('acme', 3, material);
    const id = mintEphemeralId(key);
    expect(id).toMatch(/^e2\.acme\.3\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{11}$/);
    expect(isEphemeralId(id)).toBe(true);
    // The audit trail's block summaries flag these instead of indexing each one.
    expect(isEphemeralObjectId(id)).toBe(true);
    expect(parseEphemeralId(id)).toMatchObject({ format: 2, tenantId: 'acme', l2Version: 3 });
    const derived = open(key, id)!;
    expect(derived).toHaveLength(32);
    // A fresh unwrap of the same L2 (another worker, another node) derives the same key.
    expect(open(l2('acme', 3, material), id)!.equals(derived)).toBe(true);
  });

  it('still open format-1 identifiers, which documents written before format 2 hold, to the same key', () => {
    // Golden vector computed with the format-1 code (two HMACs: tag, then key).
    const key = l2('acme', 3, Buffer.alloc(32, 0x11));
    const id = 'e1.acme.3.IiIiIiIiIiIiIiIiIiIiIg.Ui61oxaOoxw';
    expect(parseEphemeralId(id)).toMatchObject({ format: 1, tenantId: 'acme', l2Version: 3 });
    expect(open(key, id)!.toString('hex')).toBe('899d84ea6f0efca78d308b5090634799bf9dc0e90df7c4194eff745287f70857');
    expect(open(key, id.replace('Ui61', 'Ui62'))).toBeUndefined();
    // The same nonce and tag under the other format name another key, whose tag does not match.
    expect(open(key, id.replace('e1.', 'e2.'))).toBeUndefined();
  });

  it('gives every identifier its own key', () => {
    const key = l2();
    expect(open(key, mintEphemeralId(key))!.equals(open(key, mintEphemeralId(key))!)).toBe(false);
  });

  it('rejects forged, altered and foreign identifiers', () => {
    const key = l2();
    const id = mintEphemeralId(key);
    expect(open(l2(), id)).toBeUndefined(); // another L2 with the same tenant and version
    expect(open(l2('other', 3), id)).toBeUndefined();
    for (let i = 0; i < id.length; i++) {
      const c = id[i] === 'A' ? 'B' : 'A';
      expect(open(key, id.slice(0, i) + c + id.slice(i + 1)), `position ${i}`).toBeUndefined();
    }
    for (const bad of ['', 'e1.', 'e2.acme.0.x.y', 'e2.ACME.3.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbb', `${id}.`, id.replace('e2.', 'e3.')]) {
      expect(parseEphemeralId(bad)).toBeUndefined();
    }
  });

  it('refuses non-canonical tag spellings (the spare bits of the last base64url character)', () => {
    const key = l2();
    const id = mintEphemeralId(key);
    const last = id[id.length - 1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[(alphabet.indexOf(last) ^ 1) % 64]!;
    expect(open(key, id)).toBeDefined();
    expect(open(key, id.slice(0, -1) + twin)).toBeUndefined();
  });
});
