/**
 * A worker's short-lived memory of stored object documents, so that a key read again and again
 * (libmongocrypt fetches its key-encryption key for every data key it opens) costs no store
 * round trip each time.
 *
 * What it holds is the document as stored — metadata and sealed or derivation-only material,
 * never a clear key. How stale an entry can be:
 * - writes through this node's repository forget the entry here and, before the write
 *   returns, in every other worker of the node (ObjectRepository's `onChange`): the node reads
 *   its own writes;
 * - a write on another node is seen after at most `ttlMs` (default 1 s, the same bound as a
 *   tenant's L1 revocation across nodes).
 * Callers use an entry only for an answer that would succeed with it (a key that may be used
 * this way now); a refusal is always re-checked against the store, so a key activated or
 * widened elsewhere works at once, and only a tightening made on another node (revoked,
 * destroyed, usage narrowed) can lag, by at most `ttlMs`.
 */
export interface ObjectReadCacheOptions {
  /** How long an entry is used; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Least recently used entries go first beyond this many. */
  readonly maxEntries: number;
  readonly now?: () => number;
}

export interface ObjectReadCacheStats {
  hits: number;
  misses: number;
  entries: number;
}

interface Entry<T> {
  readonly value: T;
  readonly expires: number;
}

export class ObjectReadCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  /** Bumped by every forget: a read that began before a forget must not fill the cache after it. */
  #epoch = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: ObjectReadCacheOptions) {
    if (!(options.ttlMs >= 0) || !(options.maxEntries >= 1)) throw new RangeError('ttlMs must be ≥ 0 and maxEntries ≥ 1');
    this.#ttlMs = options.ttlMs;
    this.#max = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#ttlMs > 0;
  }

  /** Where reads stand; pass it to `fill` with what a read started now returned. */
  get epoch(): number {
    return this.#epoch;
  }

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.expires <= this.#now()) {
      if (entry) this.#entries.delete(key);
      this.#misses++;
      return undefined;
    }
    // Most recently used last, so eviction takes the first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#hits++;
    return entry.value;
  }

  /** Keeps what a read begun at `epoch` returned, unless something was forgotten since. */
  fill(key: string, value: T, epoch: number): void {
    if (!this.enabled || epoch !== this.#epoch) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  forget(key: string): void {
    this.#epoch++;
    this.#entries.delete(key);
  }

  /** Every entry whose key starts with `prefix` (a tenant's objects). */
  forgetPrefix(prefix: string): void {
    this.#epoch++;
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  stats(): ObjectReadCacheStats {
    return { hits: this.#hits, misses: this.#misses, entries: this.#entries.size };
  }
}
