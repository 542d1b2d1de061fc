import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { L2Cache } from './l2-cache.js';
import { UnwrappedL2Key } from './l2-key.js';

const l2 = (tenant: string, version: number) => new UnwrappedL2Key(tenant, version, randomBytes(32));

describe('L2Cache', () => {
  it('evicts the least recently used entry beyond capacity and zeroes it', () => {
    const cache = new L2Cache({ maxEntries: 2, ttlMs: 60_000 });
    const a = l2('a', 1);
    const b = l2('b', 1);
    const c = l2('c', 1);
    cache.set(a);
    cache.set(b);
    expect(cache.get('a', 1)).toBe(a); // a is now most recent
    cache.set(c);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(b.isDestroyed).toBe(true);
    expect(a.isDestroyed).toBe(false);
    expect(cache.stats()).toMatchObject({ size: 2, evictions: 1 });
  });

  it('expires entries after the TTL and zeroes them on sweep', () => {
    let now = 0;
    const cache = new L2Cache({ maxEntries: 10, ttlMs: 1_000, now: () => now });
    const a = l2('a', 1);
    const b = l2('b', 1);
    cache.set(a);
    cache.set(b);
    now = 999;
    expect(cache.get('a', 1)).toBe(a);
    now = 1_000;
    expect(cache.get('a', 1)).toBeUndefined();
    expect(a.isDestroyed).toBe(true);
    cache.sweep();
    expect(b.isDestroyed).toBe(true);
    expect(cache.stats().size).toBe(0);
  });

  it('drops every version of one tenant and only that tenant', () => {
    const cache = new L2Cache({ maxEntries: 10, ttlMs: 60_000 });
    const keys = [l2('acme', 1), l2('acme', 2), l2('acme-2', 1)];
    keys.forEach((k) => cache.set(k));
    expect(cache.deleteTenant('acme')).toBe(2);
    expect(keys.map((k) => k.isDestroyed)).toEqual([true, true, false]);
    expect(cache.get('acme-2', 1)).toBe(keys[2]);
  });

  it('zeroes a replaced entry', () => {
    const cache = new L2Cache({ maxEntries: 10, ttlMs: 60_000 });
    const first = l2('a', 1);
    cache.set(first);
    cache.set(l2('a', 1));
    expect(first.isDestroyed).toBe(true);
  });
});
