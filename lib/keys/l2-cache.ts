import type { UnwrappedL2Key } from './l2-key.js';

export interface L2CacheOptions {
  /** Most L2 versions held at once (all tenants). */
  maxEntries: number;
  /** How long an unwrapped L2 may stay in memory before L1 must unwrap it again. */
  ttlMs: number;
  now?: () => number;
}

export interface L2CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  size: number;
}

interface Entry {
  key: UnwrappedL2Key;
  expiresAt: number;
}

/**
 * Bounded, time-limited cache of unwrapped L2 versions. Every way out of the cache — TTL,
 * capacity, invalidation, shutdown — goes through `evict`, which zeroes the key. A Map keeps
 * insertion order, so re-inserting on a hit makes the first entry the least recently used.
 */
export class L2Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly counters = { hits: 0, misses: 0, evictions: 0 };

  constructor(private readonly options: L2CacheOptions) {
    if (options.maxEntries < 1) throw new RangeError('maxEntries must be at least 1');
    this.now = options.now ?? Date.now;
  }

  get(tenantId: string, version: number): UnwrappedL2Key | undefined {
    const id = cacheId(tenantId, version);
    const entry = this.entries.get(id);
    if (!entry) {
      this.counters.misses++;
      return undefined;
    }
    if (entry.expiresAt <= this.now()) {
      this.evict(id, entry);
      this.counters.misses++;
      return undefined;
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    this.counters.hits++;
    return entry.key;
  }

  set(key: UnwrappedL2Key): void {
    const id = cacheId(key.tenantId, key.version);
    const previous = this.entries.get(id);
    // Waiters sharing one unwrap all store the same key: refresh it rather than zero it.
    if (previous && previous.key !== key) this.evict(id, previous);
    this.entries.delete(id);
    this.entries.set(id, { key, expiresAt: this.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry];
      this.evict(oldestId, oldest);
    }
  }

  /** Drops every version of one tenant (revocation, L1 change, rotation). */
  deleteTenant(tenantId: string): number {
    const prefix = `${tenantId}\0`;
    let removed = 0;
    for (const [id, entry] of this.entries) {
      if (id.startsWith(prefix)) {
        this.evict(id, entry);
        removed++;
      }
    }
    return removed;
  }

  /** Removes expired entries; call it on a timer so idle keys do not linger in memory. */
  sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now) this.evict(id, entry);
    }
  }

  clear(): void {
    for (const [id, entry] of this.entries) this.evict(id, entry);
  }

  stats(): L2CacheStats {
    return { ...this.counters, size: this.entries.size };
  }

  private evict(id: string, entry: Entry): void {
    this.entries.delete(id);
    entry.key.destroy();
    this.counters.evictions++;
  }
}

function cacheId(tenantId: string, version: number): string {
  return `${tenantId}\0${version}`;
}
