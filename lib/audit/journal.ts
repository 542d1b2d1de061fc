import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { AuditChain } from './chain.js';
import { type AuditEvent, validateAuditEvent } from './event.js';
import { callHook } from './hooks.js';
import { AuditUnavailableError, newChainId } from './writer.js';

/**
 * The KMIP server's audit log on its hot path: an append-only, hash-chained journal on local
 * disk, one chain per process, in segments `<chainId>.<n>.jsonl` (one JSON record per line).
 *
 * `record()` chains the event and queues its line; all lines queued in one event-loop turn go
 * to the file in a single write, and `appended()` resolves once they are there, so a response
 * is released only after its event is on disk (it survives a crash of this process; the file
 * is fdatasync'ed every `syncIntervalMs` against a crash of the machine). The node's
 * AuditShipper (lib/audit/shipper.ts) copies the journal into the store, where queries and
 * verification read it, and reports how far it got through `shipped()`.
 *
 * Fail closed, as the store writer: when more than `backlogLimit` events are not yet in the
 * store (it has been away too long) or the disk refuses a write, `accepting()` is false and
 * `record()` throws AuditUnavailableError — the operation is refused, never served unaudited.
 *
 * Before that, back-pressure: above `pressureMark` events in the backlog, `admission()` holds
 * each request until the shipper has made room again (or `pressureWaitMs` has passed), so a
 * load the store cannot keep up with slows down to what it can store instead of filling the
 * buffer and then being refused outright.
 */
export interface AuditJournalOptions {
  /** Directory of this node's journal (shared by its processes; each writes its own files). */
  dir: string;
  /** Process role, part of the chain id. */
  role: string;
  /** Events journaled but not yet in the store before operations are refused. */
  backlogLimit: number;
  /** Backlog above which requests wait for the shipper (`admission()`); default half of backlogLimit. */
  pressureMark?: number;
  /** Longest a request waits for room; default 1000 ms. */
  pressureWaitMs?: number;
  /** A new segment file after this many bytes; default 64 MiB. */
  segmentBytes?: number;
  /** fdatasync at most this often while there are new lines; default 100 ms. */
  syncIntervalMs?: number;
  clock?: () => Date;
  /** When the disk refused a write: from then on every operation is refused. */
  onWriteError?(error: unknown): void;
}

export interface AuditJournalStats {
  chainId: string;
  /** Events journaled and not yet confirmed in the store. */
  depth: number;
  recorded: number;
  shippedSeq: number;
  refused: number;
  /** Requests that waited for the shipper to make room. */
  throttled: number;
  segment: number;
  writeFailed: boolean;
}

export { journalLine, parseJournalLine } from './record-line.js';

export function segmentFileName(chainId: string, segment: number): string {
  return `${chainId}.${String(segment).padStart(6, '0')}.jsonl`;
}

/** `<chainId>.<n>.jsonl` → chain id and segment number; undefined for any other file. */
export function parseSegmentFileName(file: string): { chainId: string; segment: number } | undefined {
  const m = /^(.+)\.(\d{6,})\.jsonl$/.exec(file);
  return m ? { chainId: m[1]!, segment: Number(m[2]) } : undefined;
}

export class AuditJournal {
  readonly chainId: string;
  readonly #dir: string;
  readonly #backlogLimit: number;
  readonly #pressureMark: number;
  readonly #pressureWaitMs: number;
  readonly #segmentBytes: number;
  readonly #clock: () => Date;
  readonly #onWriteError: ((error: unknown) => void) | undefined;
  readonly #chain: AuditChain;
  readonly #sync: NodeJS.Timeout;

  #fd: number;
  #segment = 0;
  #segmentSize = 0;
  #queued: string[] = [];
  #waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  #writeScheduled = false;
  #dirty = false;
  #syncing = false;
  #writeError: Error | undefined;
  #closed = false;
  #shippedSeq = 0;
  #recorded = 0;
  #refused = 0;
  #throttled = 0;
  #relief: Array<() => void> = [];

  constructor(options: AuditJournalOptions) {
    if (options.backlogLimit < 1) throw new RangeError('backlogLimit must be positive');
    this.#dir = options.dir;
    this.#backlogLimit = options.backlogLimit;
    this.#pressureMark = Math.max(1, Math.min(options.pressureMark ?? Math.ceil(options.backlogLimit / 2), options.backlogLimit));
    this.#pressureWaitMs = options.pressureWaitMs ?? 1000;
    this.#segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.#clock = options.clock ?? (() => new Date());
    this.#onWriteError = options.onWriteError;
    this.chainId = newChainId(options.role, this.#clock());
    this.#chain = new AuditChain(this.chainId);
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    this.#fd = this.#openSegment();
    this.#sync = setInterval(() => this.#datasync(), options.syncIntervalMs ?? 100);
    this.#sync.unref();
  }

  accepting(): boolean {
    return !this.#closed && !this.#writeError && this.#depth() < this.#backlogLimit;
  }

  /**
   * Validates, chains and queues the event; returns its place in the chain. Throws
   * AuditEventError for a malformed event and AuditUnavailableError when it cannot be kept.
   */
  record(event: AuditEvent): { chainId: string; seq: number } {
    validateAuditEvent(event);
    if (!this.accepting()) {
      this.#refused++;
      if (this.#closed) throw new AuditUnavailableError('audit journal is closed');
      if (this.#writeError) throw this.#unwritable(this.#writeError);
      throw new AuditUnavailableError('audit store unavailable and audit backlog full; refusing unaudited operation');
    }
    const { doc, line } = this.#chain.nextWithLine(event, this.#clock);
    this.#queued.push(line);
    this.#recorded++;
    if (!this.#writeScheduled) {
      this.#writeScheduled = true;
      setImmediate(() => this.#write());
    }
    return { chainId: this.chainId, seq: doc.seq };
  }

  /** Resolves once every event recorded so far is in the journal file; rejects if the disk refused it. */
  appended(): Promise<void> {
    if (this.#writeError) return Promise.reject(this.#unwritable(this.#writeError));
    if (this.#queued.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Undefined (go ahead) while the backlog is below the pressure mark; otherwise a promise that
   * resolves when the shipper has brought it below, or after `pressureWaitMs` — then `record()`
   * decides, refusing if the buffer is full. A hot-path check without a promise when all is well.
   */
  admission(): Promise<void> | undefined {
    if (this.#depth() < this.#pressureMark || this.#closed || this.#writeError) return undefined;
    this.#throttled++;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#relief = this.#relief.filter((r) => r !== done);
        resolve();
      }, this.#pressureWaitMs);
      this.#relief.push(done);
    });
  }

  /** The shipper stored this chain up to `seq`. */
  shipped(seq: number): void {
    if (seq > this.#shippedSeq) this.#shippedSeq = seq;
    if (this.#relief.length > 0 && this.#depth() < this.#pressureMark) {
      const waiting = this.#relief;
      this.#relief = [];
      for (const resume of waiting) resume();
    }
  }

  #depth(): number {
    return this.#chain.lastSeq - this.#shippedSeq;
  }

  stats(): AuditJournalStats {
    return {
      chainId: this.chainId,
      depth: this.#depth(),
      recorded: this.#recorded,
      shippedSeq: this.#shippedSeq,
      refused: this.#refused,
      throttled: this.#throttled,
      segment: this.#segment,
      writeFailed: this.#writeError !== undefined,
    };
  }

  /** Writes what is queued, syncs and closes the file; the shipper takes it from there. */
  close(): { unwritten: number } {
    if (this.#closed) return { unwritten: 0 };
    this.#closed = true;
    clearInterval(this.#sync);
    for (const resume of this.#relief.splice(0)) resume();
    this.#write();
    const unwritten = this.#queued.length;
    try {
      fsyncSync(this.#fd);
      closeSync(this.#fd);
    } catch {
      // nothing more can be done for it; the count above says what was lost
    }
    return { unwritten };
  }

  #openSegment(): number {
    this.#segment++;
    this.#segmentSize = 0;
    return openSync(path.join(this.#dir, segmentFileName(this.chainId, this.#segment)), 'a', 0o600);
  }

  /** One write for everything queued in this turn; a failed write refuses everything after it. */
  #write(): void {
    this.#writeScheduled = false;
    if (this.#queued.length === 0 || this.#writeError) return;
    const data = Buffer.from(this.#queued.join(''), 'utf8');
    const waiters = this.#waiters;
    this.#queued = [];
    this.#waiters = [];
    try {
      let off = 0;
      while (off < data.length) off += writeSync(this.#fd, data, off);
      this.#segmentSize += data.length;
      this.#dirty = true;
      if (this.#segmentSize >= this.#segmentBytes) {
        fsyncSync(this.#fd);
        closeSync(this.#fd);
        this.#fd = this.#openSegment();
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#writeError = failure;
      callHook(() => this.#onWriteError?.(error));
      const refused = this.#unwritable(failure);
      for (const w of waiters) w.reject(refused);
      return;
    }
    for (const w of waiters) w.resolve();
  }

  #unwritable(cause: Error): AuditUnavailableError {
    return new AuditUnavailableError(`audit journal cannot be written: ${cause.message}`);
  }

  #datasync(): void {
    if (!this.#dirty || this.#syncing || this.#closed) return;
    this.#dirty = false;
    this.#syncing = true;
    const fd = this.#fd;
    fdatasync(fd, () => {
      this.#syncing = false;
    });
  }
}
