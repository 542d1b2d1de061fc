import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DestroyedKeyError, UnwrappedL2Key } from './l2-key.js';

const context = { tenantId: 'acme', serviceId: 'mongodb-prod', objectId: 'obj-1', purpose: 'kmip-object' };

describe('UnwrappedL2Key', () => {
  it('zeroes the raw L2 as soon as it is consumed', () => {
    const material = randomBytes(32);
    new UnwrappedL2Key('acme', 1, material);
    expect(material.every((b) => b === 0)).toBe(true);
  });

  it('derives the same key for the same context and version, and different keys otherwise', () => {
    const material = randomBytes(32);
    const a = new UnwrappedL2Key('acme', 1, Buffer.from(material));
    const b = new UnwrappedL2Key('acme', 1, Buffer.from(material));
    const otherVersion = new UnwrappedL2Key('acme', 2, Buffer.from(material));
    expect(a.derive(context, 32).equals(b.derive(context, 32))).toBe(true);
    expect(a.derive(context, 32).equals(otherVersion.derive(context, 32))).toBe(false);
    expect(a.derive(context, 32).equals(a.derive({ ...context, objectId: 'obj-2' }, 32))).toBe(false);
    expect(a.derive(context, 16)).toHaveLength(16);
  });

  it('seals secrets bound to their associated data', () => {
    const key = new UnwrappedL2Key('acme', 1, randomBytes(32));
    const sealed = key.seal(Buffer.from('client secret'), Buffer.from('acme/obj-1'));
    expect(key.open(sealed, Buffer.from('acme/obj-1')).toString()).toBe('client secret');
    expect(() => key.open(sealed, Buffer.from('acme/obj-2'))).toThrow();
  });

  it('refuses to derive for another tenant', () => {
    const key = new UnwrappedL2Key('acme', 1, randomBytes(32));
    expect(() => key.derive({ ...context, tenantId: 'globex' }, 32)).toThrow(/another tenant/);
  });

  it('refuses all use once destroyed instead of deriving from zeros', () => {
    const key = new UnwrappedL2Key('acme', 1, randomBytes(32));
    key.destroy();
    expect(() => key.derive(context, 32)).toThrow(DestroyedKeyError);
    expect(() => key.seal(Buffer.from('x'), Buffer.alloc(0))).toThrow(DestroyedKeyError);
  });
});
