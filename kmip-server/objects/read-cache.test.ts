import { describe, expect, it } from 'vitest';
import { ObjectReadCache } from './read-cache.js';

function cache(ttlMs = 1000, maxEntries = 3) {
  let now = 0;
  const c = new ObjectReadCache<string>({ ttlMs, maxEntries, now: () => now });
  return { c, advance: (ms: number) => (now += ms) };
}

describe('ObjectReadCache', () => {
  it('serves an entry until its time is up, and counts hits and misses', () => {
    const { c, advance } = cache();
    c.fill('t\0a', 'doc-a', c.epoch);
    expect(c.get('t\0a')).toBe('doc-a');
    advance(999);
    expect(c.get('t\0a')).toBe('doc-a');
    advance(1);
    expect(c.get('t\0a')).toBeUndefined();
    expect(c.stats()).toEqual({ hits: 2, misses: 1, entries: 0 });
  });

  it('does not keep what a read returned when something was forgotten while it ran', () => {
    const { c } = cache();
    const epoch = c.epoch;
    c.forget('t\0other'); // a write, anywhere, while the read was in flight
    c.fill('t\0a', 'maybe-stale', epoch);
    expect(c.get('t\0a')).toBeUndefined();
    c.fill('t\0a', 'fresh', c.epoch);
    expect(c.get('t\0a')).toBe('fresh');
  });

  it('forgets one entry, or all of a tenant', () => {
    const { c } = cache(1000, 10);
    for (const k of ['t1\0a', 't1\0b', 't2\0a']) c.fill(k, k, c.epoch);
    c.forget('t1\0a');
    expect(c.get('t1\0a')).toBeUndefined();
    c.forgetPrefix('t1\0');
    expect(c.get('t1\0b')).toBeUndefined();
    expect(c.get('t2\0a')).toBe('t2\0a');
  });

  it('drops the least recently used entry beyond its size', () => {
    const { c } = cache(1000, 2);
    c.fill('a', 'A', c.epoch);
    c.fill('b', 'B', c.epoch);
    c.get('a'); // b is now the least recently used
    c.fill('c', 'C', c.epoch);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('A');
    expect(c.get('c')).toBe('C');
  });

  it('keeps nothing when turned off', () => {
    const { c } = cache(0);
    expect(c.enabled).toBe(false);
    c.fill('a', 'A', c.epoch);
    expect(c.get('a')).toBeUndefined();
    expect(() => new ObjectReadCache({ ttlMs: -1, maxEntries: 1 })).toThrow(RangeError);
  });
});
