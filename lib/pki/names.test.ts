import { describe, expect, it } from 'vitest';
import { InvalidIdentityError, isValidIdentifier, normalizeSerial, parseServiceSpiffeId, serviceSpiffeId } from './names.js';

describe('service identity names', () => {
  it('validates identifiers', () => {
    for (const ok of ['a', 'acme', 'acme-prod-1', '0abc', 'a'.repeat(63)]) expect(isValidIdentifier(ok)).toBe(true);
    for (const bad of ['', '-a', 'A', 'a_b', 'a.b', 'a'.repeat(64), 'a/b', ' a', 'ä']) expect(isValidIdentifier(bad)).toBe(false);
  });

  it('builds and parses SPIFFE ids symmetrically', () => {
    const id = serviceSpiffeId('acme', 'mongo-1');
    expect(id).toBe('spiffe://openkcm/tenant/acme/service/mongo-1');
    expect(parseServiceSpiffeId(id)).toEqual({ tenantId: 'acme', serviceId: 'mongo-1' });
    expect(parseServiceSpiffeId('spiffe://openkcm/tenant/acme/service/')).toBeUndefined();
    expect(() => serviceSpiffeId('Acme', 'x')).toThrow(InvalidIdentityError);
  });

  it('normalizes serials to upper-case hex without leading zeros', () => {
    expect(normalizeSerial('00:0a:ff')).toBe('AFF');
    expect(normalizeSerial('0')).toBe('0');
    expect(() => normalizeSerial('12g')).toThrow(InvalidIdentityError);
  });
});
