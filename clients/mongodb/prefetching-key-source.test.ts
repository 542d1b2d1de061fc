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
});
