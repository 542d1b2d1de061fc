import { describe, expect, it } from 'vitest';
import { WORKER_TCACHE_COUNT, workerGlibcTunables } from './malloc-tunables.js';

describe('workerGlibcTunables', () => {
  it('enlarges the per-thread malloc cache when nothing is set', () => {
    expect(workerGlibcTunables(undefined)).toBe(`glibc.malloc.tcache_count=${WORKER_TCACHE_COUNT}`);
    expect(workerGlibcTunables('')).toBe(`glibc.malloc.tcache_count=${WORKER_TCACHE_COUNT}`);
  });

  it("keeps the operator's other tunables", () => {
    expect(workerGlibcTunables('glibc.malloc.arena_max=2')).toBe(`glibc.malloc.arena_max=2:glibc.malloc.tcache_count=${WORKER_TCACHE_COUNT}`);
  });

  it("leaves an operator's own cache size alone", () => {
    expect(workerGlibcTunables('glibc.malloc.tcache_count=16:glibc.malloc.arena_max=2')).toBe('glibc.malloc.tcache_count=16:glibc.malloc.arena_max=2');
  });
});
