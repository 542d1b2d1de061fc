import { zeroize } from '../../lib/crypto/zero.js';

export interface KeyCacheOptions {
  /** How long a key stays in memory after it was fetched or created; 0 disables the cache. */
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

/**
 * Recently used field keys, so reading documents just written (or read) does not ask OpenKCM
 * again — the trade libmongocrypt makes too (it caches data keys for a minute). The cache
 * owns its copies: it hands out copies and zeroes its own on expiry, eviction and clear().
 */
export class KeyCache {
  private readonly entries = new Map<string, { key: Buffer; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: KeyCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A copy of the cached key (the caller zeroes it), or undefined. */
  get(id: string): Buffer | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(id, entry.key);
      return undefined;
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    return Buffer.from(entry.key);
  }

  /** Stores a copy of `key`; the caller keeps (and zeroes) its own buffer. */
  set(id: string, key: Buffer): void {
    if (this.options.ttlMs <= 0) return;
    const previous = this.entries.get(id);
    if (previous) this.delete(id, previous.key);
    this.entries.set(id, { key: Buffer.from(key), expiresAt: this.now() + this.options.ttlMs });
    for (const [oldestId, oldest] of this.entries) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.delete(oldestId, oldest.key);
    }
  }

  clear(): void {
    for (const [id, entry] of this.entries) this.delete(id, entry.key);
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(id: string, key: Buffer): void {
    this.entries.delete(id);
    zeroize(key);
  }
}
