import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import { AuditChain } from './chain.js';
import { callHook } from './hooks.js';
import { type AuditEvent, validateAuditEvent } from './event.js';
import type { AuditRecordDocument } from './store.js';
import { storeAuditBatch } from './store-batch.js';

/**
 * Batched, hash-chained audit writer: one per process. `record()` is synchronous (validate,
 * chain, enqueue); batches are written in order in the background. The buffer is bounded:
 * when the store has been unreachable long enough to fill it, `record()` throws
 * AuditUnavailableError and `accepting()` is false — callers refuse the operation rather than
 * perform it unaudited (ARCHITECTURE invariant 4).
 *
 * Each writer start is its own chain (`chainId`), so no coordination between processes is
 * needed; a record's hash covers its predecessor's, and the chain head in `auditChains`
 * (written after each batch) anchors the end.
 */
export class AuditUnavailableError extends Error {
  override readonly name = 'AuditUnavailableError';
}

export interface AuditWriterHooks {
  /** After each stored batch. */
  onFlush?(info: { records: number; latencyMs: number; depth: number }): void;
  /** After each failed attempt; the writer retries after `retryInMs`. */
  onFlushError?(info: { error: unknown; attempt: number; depth: number; retryInMs: number }): void;
  /** When `record()` refused an event because the buffer was full. */
  onRefused?(info: { depth: number }): void;
}

export interface AuditWriterOptions {
  db: Db;
  /** Process role, part of the chain id: `kmip`, `api`, `worker`, … */
  role: string;
  /** Events held in memory while the store is slow or away; default 10 000. */
  bufferLimit?: number;
  /** Events per insert; default 500. */
  batchSize?: number;
  /** Longest an event waits before a partial batch is written; default 100 ms. */
  flushIntervalMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  hooks?: AuditWriterHooks;
  clock?: () => Date;
}

export interface AuditWriterStats {
  chainId: string;
  depth: number;
  recorded: number;
  flushed: number;
  batches: number;
  failedAttempts: number;
  refused: number;
  lastFlushLatencyMs: number | null;
  /** False from a failed write until the next successful one. */
  storeHealthy: boolean;
}

const ROLE = /^[a-z][a-z0-9-]{0,31}$/;

export function newChainId(role: string, now = new Date()): string {
  if (!ROLE.test(role)) throw new RangeError(`audit writer role must match ${ROLE.source}`);
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64) || 'host';
  return `${role}:${host}:${process.pid}:${now.getTime()}:${randomBytes(3).toString('hex')}`;
}

export class AuditWriter {
  readonly chainId: string;
  readonly #db: Db;
  readonly #role: string;
  readonly #bufferLimit: number;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  readonly #hooks: AuditWriterHooks;
  readonly #clock: () => Date;
  readonly #startedAt: Date;

  readonly #buffer: AuditRecordDocument[] = [];
  readonly #chain: AuditChain;
  #flushedSeq = 0;
  #headCreated = false;
  #closed = false;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #backoff: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  #waiters: Array<{ seq: number; resolve: () => void }> = [];
  #stats = { recorded: 0, flushed: 0, batches: 0, failedAttempts: 0, refused: 0, lastFlushLatencyMs: null as number | null, storeHealthy: true };

  constructor(options: AuditWriterOptions) {
    this.#db = options.db;
    this.#role = options.role;
    this.#bufferLimit = options.bufferLimit ?? 10_000;
    this.#batchSize = options.batchSize ?? 500;
    this.#flushIntervalMs = options.flushIntervalMs ?? 100;
    this.#retryInitialMs = options.retryInitialMs ?? 100;
    this.#retryMaxMs = options.retryMaxMs ?? 5_000;
    this.#hooks = options.hooks ?? {};
    this.#clock = options.clock ?? (() => new Date());
    if (this.#bufferLimit < 1 || this.#batchSize < 1) throw new RangeError('bufferLimit and batchSize must be positive');
    this.#startedAt = this.#clock();
    this.chainId = newChainId(options.role, this.#startedAt);
    this.#chain = new AuditChain(this.chainId);
  }

  /** False when `record()` would throw: the buffer is full (store unreachable) or the writer is closed. */
  accepting(): boolean {
    return !this.#closed && this.#buffer.length < this.#bufferLimit;
  }

  /**
   * Validates, chains and enqueues the event; returns its place in the chain. Throws
   * AuditEventError for a malformed event and AuditUnavailableError when it cannot be kept.
   */
  record(event: AuditEvent): { chainId: string; seq: number } {
    if (this.#closed) throw new AuditUnavailableError('audit writer is closed');
    validateAuditEvent(event); // a malformed event is the caller's bug, not an outage
    if (this.#buffer.length >= this.#bufferLimit) {
      this.#stats.refused++;
      callHook(() => this.#hooks.onRefused?.({ depth: this.#buffer.length }));
      throw new AuditUnavailableError('audit store unavailable and audit buffer full; refusing unaudited operation');
    }
    const doc = this.#chain.next(event, this.#clock);
    const seq = doc.seq;
    this.#buffer.push(doc);
    this.#stats.recorded++;
    this.#schedule();
    return { chainId: this.chainId, seq };
  }

  stats(): AuditWriterStats {
    return { chainId: this.chainId, depth: this.#buffer.length, ...this.#stats };
  }

  /** Resolves once everything recorded before the call is stored; AuditUnavailableError after `timeoutMs`. */
  async flush(timeoutMs = 10_000): Promise<void> {
    const target = this.#chain.lastSeq;
    if (this.#flushedSeq >= target) return;
    this.#kick();
    await new Promise<void>((resolve, reject) => {
      const waiter = { seq: target, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new AuditUnavailableError(`audit events not stored within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Stops accepting, writes what it can within `timeoutMs`, and reports what could not be stored. */
  async close(timeoutMs = 10_000): Promise<{ unflushed: number }> {
    this.#closed = true;
    try {
      await this.flush(timeoutMs);
    } catch {
      // reported through the return value
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#backoff?.wake();
    await this.#running;
    return { unflushed: this.#buffer.length };
  }

  #schedule(): void {
    if (this.#running) return; // the running loop picks up new events
    if (this.#buffer.length >= this.#batchSize) {
      this.#kick();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => this.#kick(), this.#flushIntervalMs);
      this.#timer.unref?.();
    }
  }

  #kick(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#backoff) {
      this.#backoff.wake(); // flush() asked: retry now instead of waiting out the backoff
      return;
    }
    if (this.#running) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#buffer.length > 0 && !this.#closed) this.#schedule();
    });
  }

  async #drain(): Promise<void> {
    let attempt = 0;
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, this.#batchSize);
      const started = performance.now();
      try {
        await this.#store(batch);
      } catch (error) {
        attempt++;
        this.#stats.failedAttempts++;
        this.#stats.storeHealthy = false;
        const retryInMs = Math.min(this.#retryMaxMs, this.#retryInitialMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
        callHook(() => this.#hooks.onFlushError?.({ error, attempt, depth: this.#buffer.length, retryInMs }));
        if (this.#closed && this.#waiters.length === 0) return;
        await this.#sleep(retryInMs);
        if (this.#closed && this.#waiters.length === 0) return;
        continue;
      }
      attempt = 0;
      const latencyMs = performance.now() - started;
      this.#buffer.splice(0, batch.length);
      this.#flushedSeq = batch[batch.length - 1]!.seq;
      this.#stats.flushed += batch.length;
      this.#stats.batches++;
      this.#stats.lastFlushLatencyMs = latencyMs;
      this.#stats.storeHealthy = true;
      callHook(() => this.#hooks.onFlush?.({ records: batch.length, latencyMs, depth: this.#buffer.length }));
      this.#releaseWaiters();
    }
  }

  async #store(batch: AuditRecordDocument[]): Promise<void> {
    const origin = { role: this.#role, hostname: hostname(), pid: process.pid, startedAt: this.#startedAt };
    await storeAuditBatch(this.#db, origin, batch, this.#clock(), !this.#headCreated);
    this.#headCreated = true;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#backoff = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#backoff = { timer, wake };
    });
  }

  #releaseWaiters(): void {
    const done = this.#waiters.filter((w) => w.seq <= this.#flushedSeq);
    this.#waiters = this.#waiters.filter((w) => w.seq > this.#flushedSeq);
    for (const w of done) w.resolve();
  }
}
