import { zeroize } from '../../lib/crypto/zero.js';
import type { DataKey, KeySource } from './key-source.js';

export interface PrefetchOptions {
  /** Fresh keys kept ready; refilled in one KMIP batch when half are used. */
  size: number;
  /** A ready key older than this is discarded (zeroed) unused. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Keeps a few fresh ephemeral keys ready, so a write does not wait for a KMIP round trip.
 * Every key is still used for exactly one write; keys wait at most `maxAgeMs` and are zeroed
 * when discarded. A refill that fails is reported on the next write that finds the pool empty.
 */
export class PrefetchingKeySource implements KeySource {
  private ready: Array<{ key: DataKey; at: number }> = [];
  private refilling: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly source: KeySource,
    private readonly options: PrefetchOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async freshKeys(count: number): Promise<DataKey[]> {
    this.dropStale();
    while (this.ready.length < count) await this.refill(count - this.ready.length);
    const taken = this.ready.splice(0, count).map((entry) => entry.key);
    if (this.ready.length <= this.options.size / 2) void this.refill(0).catch(() => undefined);
    return taken;
  }

  keys(ids: readonly string[]): Promise<Map<string, Buffer>> {
    return this.source.keys(ids);
  }

  namedKey(name: string): Promise<DataKey> {
    return this.source.namedKey(name);
  }

  /** Zeroes the keys still waiting. */
  close(): void {
    for (const { key } of this.ready) zeroize(key.material);
    this.ready = [];
  }

  /** Tops the pool up to its size (or `atLeast`); concurrent callers share one batch. */
  private refill(atLeast: number): Promise<void> {
    this.refilling ??= (async () => {
      try {
        const wanted = Math.max(atLeast, this.options.size - this.ready.length);
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
    const oldest = this.now() - (this.options.maxAgeMs ?? 30_000);
    while (this.ready[0] && this.ready[0].at < oldest) zeroize(this.ready.shift()!.key.material);
  }
}
