/**
 * Counts failures per key in a fixed window (in memory, per API instance). A key at its limit
 * is refused until its window ends, with the seconds left for Retry-After. Successful logins
 * reset the per-user key, so a user who mistypes once is not punished later.
 */
export interface Limit {
  max: number;
  windowMs: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/** Entries beyond this are pruned (expired first) so a flood of distinct keys cannot grow memory without bound. */
const MAX_KEYS = 50_000;

export class FailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: Limit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait when the key is at its limit; 0 when an attempt is allowed. */
  retryAfter(key: string): number {
    const window = this.current(key);
    if (!window || window.count < this.limit.max) return 0;
    return Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
  }

  fail(key: string): void {
    const window = this.current(key);
    if (window) {
      window.count++;
      return;
    }
    if (this.windows.size >= MAX_KEYS) this.prune();
    this.windows.set(key, { count: 1, resetAt: this.now() + this.limit.windowMs });
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS) break;
      this.windows.delete(key);
    }
  }
}
