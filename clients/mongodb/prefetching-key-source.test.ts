import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DataKey, KeySource } from './key-source.js';
import { PrefetchingKeySource } from './prefetching-key-source.js';

function countingSource() {
  const calls: number[] = [];
  let next = 0;
  const issued: DataKey[] = [];
  const source: KeySource = {
    freshKeys: async (n) => {
      calls.push(n);
      const keys = Array.from({ length: n }, () => ({ id: `k${next++}`, material: randomBytes(32) }));
      issued.push(...keys);
      return keys;
    },
    keys: async () => new Map(),
    namedKey: async () => ({ id: 'n', material: randomBytes(32) }),
  };
  return { source, calls, issued };
}

describe('PrefetchingKeySource', () => {
  it('hands out every key exactly once and refills in batches', async () => {
    const { source, calls } = countingSource();
    const pool = new PrefetchingKeySource(source, { size: 8 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(...(await pool.freshKeys(1)).map((k) => k.id));
    expect(new Set(ids).size).toBe(20);
    expect(calls.length).toBeLessThan(20);
    pool.close();
  });

  it('serves a request larger than the pool', async () => {
    const { source } = countingSource();
    const pool = new PrefetchingKeySource(source, { size: 4 });
    expect(await pool.freshKeys(10)).toHaveLength(10);
  });

  it('discards and zeroes keys that waited too long, and zeroes the rest on close', async () => {
    let now = 0;
    const { source, issued } = countingSource();
    const pool = new PrefetchingKeySource(source, { size: 4, maxAgeMs: 1_000, now: () => now });
    await pool.freshKeys(1);
    now = 5_000;
    const [fresh] = await pool.freshKeys(1);
    expect(issued.slice(1, 4).every((k) => k.material.every((b) => b === 0))).toBe(true);
    expect(fresh!.material.some((b) => b !== 0)).toBe(true);
    pool.close();
    expect(issued.filter((k) => k !== fresh && k !== issued[0]).every((k) => k.material.every((b) => b === 0))).toBe(true);
  });

  it('grows to twice a large request, so the next one finds its keys ready, within maxSize', async () => {
    const { source, calls } = countingSource();
    const pool = new PrefetchingKeySource(source, { size: 4, maxSize: 120 });
    await pool.freshKeys(50);
    await settled();
    expect(pool.readyCount).toBeGreaterThanOrEqual(50);
    const before = calls.length;
    const second = pool.freshKeys(50);
    // Served from the pool: the only source call it starts is the background refill.
    expect((await second).length).toBe(50);
    expect(calls.length).toBeLessThanOrEqual(before + 1);
    await settled();
    expect(pool.readyCount).toBeLessThanOrEqual(120);
    pool.close();
  });

  it('shrinks back towards size when requests get small again', async () => {
    const { source } = countingSource();
    const pool = new PrefetchingKeySource(source, { size: 4, maxSize: 400 });
    await pool.freshKeys(100);
    await settled();
    const afterLarge = pool.readyCount;
    for (let i = 0; i < 300; i++) {
      await pool.freshKeys(1);
      await settled();
    }
    expect(pool.readyCount).toBeLessThan(afterLarge);
    expect(pool.readyCount).toBeLessThanOrEqual(8);
    pool.close();
  });

  it('reports a failed refill on the write that needs it, and recovers', async () => {
    let failing = false;
    const { source } = countingSource();
    const flaky: KeySource = { ...source, freshKeys: (n) => (failing ? Promise.reject(new Error('L1 revoked')) : source.freshKeys(n)) };
    const pool = new PrefetchingKeySource(flaky, { size: 2 });
    failing = true;
    await expect(pool.freshKeys(1)).rejects.toThrow('L1 revoked');
    failing = false;
    expect(await pool.freshKeys(1)).toHaveLength(1);
    pool.close();
  });

  it('refuses a pool size that is not a positive integer', () => {
    const { source } = countingSource();
    expect(() => new PrefetchingKeySource(source, { size: 0 })).toThrow(RangeError);
  });
});

/** Lets a background refill finish. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
