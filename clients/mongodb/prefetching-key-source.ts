import { zeroize } from '../../lib/crypto/zero.js';
import type { DataKey, KeySource } from './key-source.js';

export interface PrefetchOptions {
  /** Fresh keys kept ready at least; refilled in one KMIP batch when half are used. */
  size: number;
  /**
   * The most keys kept ready (default 4 × size). Between `size` and this, the pool follows
   * demand: it holds twice the largest recent request, so a writer that asks for many keys at
   * once (keyScope 'document', one key per document of an insertMany) finds them ready too.
   */
  maxSize?: number;
  /**
   * A ready key older than this is discarded (zeroed) unused. Default 10 s, the key cache's TTL:
   * after the tenant's L1 is revoked, OpenKCM refuses new keys within a second, but keys already
   * fetched can still encrypt writes for up to this long.
   */
  maxAgeMs?: number;
  now?: () => number;
}

const DEFAULT_MAX_AGE_MS = 10_000;
/** How fast the remembered demand falls back after a large request (per request). */
const DEMAND_DECAY = 0.95;

/**
 * Keeps a few fresh ephemeral keys ready, so a write does not wait for a KMIP round trip.
 * Every key is still used for exactly one write; keys wait at most `maxAgeMs` and are zeroed
 * when discarded. A refill that fails is reported on the next write that finds the pool empty.
 * There is no timer: an idle writer makes no KMIP requests.
 */
export class PrefetchingKeySource implements KeySource {
  private ready: Array<{ key: DataKey; at: number }> = [];
  private refilling: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly maxSize: number;
  private demand = 0;

  constructor(
    private readonly source: KeySource,
    private readonly options: PrefetchOptions,
  ) {
    if (!(Number.isInteger(options.size) && options.size >= 1)) throw new RangeError('prefetch size must be a positive integer');
    this.now = options.now ?? Date.now;
    this.maxSize = Math.max(options.size, options.maxSize ?? 4 * options.size);
  }

  async freshKeys(count: number): Promise<DataKey[]> {
    this.demand = Math.max(count, Math.floor(this.demand * DEMAND_DECAY));
    this.dropStale();
    while (this.ready.length < count) await this.refill(count - this.ready.length);
    const taken = this.ready.splice(0, count).map((entry) => entry.key);
    if (this.ready.length <= this.target() / 2) void this.refill(0).catch(() => undefined);
    return taken;
  }

  keys(ids: readonly string[]): Promise<Map<string, Buffer>> {
    return this.source.keys(ids);
  }

  namedKey(name: string): Promise<DataKey> {
    return this.source.namedKey(name);
  }

  /** Keys ready now (for tests and metrics). */
  get readyCount(): number {
    return this.ready.length;
  }

  /** Zeroes the keys still waiting. */
  close(): void {
    for (const { key } of this.ready) zeroize(key.material);
    this.ready = [];
  }

  /** Keys to hold: twice the recent demand, within [size, maxSize]. */
  private target(): number {
    return Math.min(this.maxSize, Math.max(this.options.size, 2 * this.demand));
  }

  /** Tops the pool up to its target (or `atLeast`); concurrent callers share one batch. */
  private refill(atLeast: number): Promise<void> {
    this.refilling ??= (async () => {
      try {
        const wanted = Math.max(atLeast, this.target() - this.ready.length);
        if (wanted <= 0) return;
        const keys = await this.source.freshKeys(wanted);
        const at = this.now();
        this.ready.push(...keys.map((key) => ({ key, at })));
      } finally {
        this.refilling = undefined;
      }
    })();
    return this.refilling;
  }

  private dropStale(): void {
    const oldest = this.now() - (this.options.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
    while (this.ready[0] && this.ready[0].at < oldest) zeroize(this.ready.shift()!.key.material);
  }
}
