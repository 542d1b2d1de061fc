/**
 * glibc's per-thread malloc cache, enlarged for the workers. A full TLS handshake has OpenSSL
 * allocate and free a few hundred small blocks; with glibc's default cache (7 blocks per size)
 * a worker spent about 300 µs of each handshake sorting free blocks into malloc's bins (perf:
 * `_int_malloc`, `malloc_consolidate`, `unlink_chunk`), a tenth of its CPU per connection.
 * With 2 000 per size, full handshakes cost about 10 % less CPU; beyond that nothing moved
 * (2 000 and 8 000 measured the same). The cache holds only blocks the thread freed, so memory
 * grows by what a handshake's churn leaves, not by the bound.
 *
 * glibc reads tunables when a process starts, so the primary passes them to the workers it
 * forks. An operator's own `glibc.malloc.tcache_count` wins; other libcs ignore the variable.
 */
export const WORKER_TCACHE_COUNT = 2_000;

/** GLIBC_TUNABLES for a worker, given the primary's (colon-separated `name=value` pairs). */
export function workerGlibcTunables(inherited: string | undefined): string {
  const own = `glibc.malloc.tcache_count=${WORKER_TCACHE_COUNT}`;
  if (!inherited) return own;
  if (inherited.split(':').some((pair) => pair.startsWith('glibc.malloc.tcache_count='))) return inherited;
  return `${inherited}:${own}`;
}
