import { closeSync, openSync, readSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Db } from 'mongodb';
import { callHook } from './hooks.js';
import { parseJournalLine, parseSegmentFileName, segmentFileName } from './journal.js';
import type { AuditRecordDocument } from './store.js';
import { auditChains } from './store.js';
import { originOfChainId, storeAuditBatch } from './store-batch.js';

/**
 * Copies a node's audit journals (lib/audit/journal.ts) into the store, in chain order, and
 * deletes each segment once it is stored and its writer has moved on or is gone. Runs in the
 * KMIP cluster's primary, off the request path: the store's per-record cost lands there, in
 * batches, at most `maxPerSecond` records per second, so a burst of KMIP traffic is journaled at
 * disk speed and reaches the store shortly after.
 *
 * Idempotent and restartable: where a chain stands is read back from its head in the store, and
 * a batch that is stored twice keeps its first copy. Segments of writers that died (kill -9,
 * a crashed node restarted on the same disk) are shipped like any other.
 */
export interface AuditShipperOptions {
  db: Db;
  dir: string;
  /** Records per insert; default 500. */
  batchSize?: number;
  /** Rate limit across all chains; default 50 000 records per second. */
  maxPerSecond?: number;
  /**
   * Pause after a pass that found less than a full batch; default 250 ms. Under load batches
   * are full and there is no pause; at low rates events wait a little to share an insert.
   */
  lingerMs?: number;
  /** After each stored batch: how far the chain is now stored. */
  onShipped?(chainId: string, seq: number): void;
  /** A failed pass (`attempt` ≥ 1, retried) or a damaged journal file set aside (`attempt` 0). */
  onError?(error: unknown, attempt: number): void;
  clock?: () => Date;
}

export interface AuditShipperStats {
  shipped: number;
  batches: number;
  failedAttempts: number;
  /** Journal bytes on disk not yet stored, as of the last pass. */
  backlogBytes: number;
  storeHealthy: boolean;
}

interface ChainState {
  /** Highest sequence number known to be stored. */
  storedSeq: number;
  headChecked: boolean;
  /** Byte offset per segment file read so far. */
  offsets: Map<number, number>;
}

const READ_CHUNK = 1024 * 1024;

/** A journal file that cannot be read as records (damaged on disk, or edited). */
export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
}

export class AuditShipper {
  readonly #db: Db;
  readonly #dir: string;
  readonly #batchSize: number;
  readonly #maxPerSecond: number;
  readonly #lingerMs: number;
  readonly #opts: AuditShipperOptions;
  readonly #clock: () => Date;
  readonly #chains = new Map<string, ChainState>();
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #stats: AuditShipperStats = { shipped: 0, batches: 0, failedAttempts: 0, backlogBytes: 0, storeHealthy: true };

  constructor(options: AuditShipperOptions) {
    this.#opts = options;
    this.#db = options.db;
    this.#dir = options.dir;
    this.#batchSize = options.batchSize ?? 500;
    this.#maxPerSecond = options.maxPerSecond ?? 50_000;
    this.#lingerMs = options.lingerMs ?? 250;
    this.#clock = options.clock ?? (() => new Date());
  }

  stats(): AuditShipperStats {
    return { ...this.#stats };
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Ships what is left for up to `drainMs`, then stops. */
  async stop(drainMs = 5_000): Promise<void> {
    const deadline = Date.now() + drainMs;
    this.#stopping = true;
    this.#wake?.();
    // A pass stuck on an unreachable store must not hold the process past its drain time.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), drainMs)));
    try {
      if ((await Promise.race([this.#running, timeout])) === 'timeout') return;
      this.#running = undefined;
      while (Date.now() < deadline) {
        const r = await Promise.race([this.shipOnce(Number.MAX_SAFE_INTEGER).catch(() => 0), timeout]);
        if (r === 'timeout' || r === 0) return;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** One pass over every journal segment, storing at most `budget` records; returns how many it stored. */
  async shipOnce(budget = this.#batchSize): Promise<number> {
    const segments = this.#listSegments();
    let stored = 0;
    let backlog = 0;
    for (const [chainId, numbers] of segments) {
      const state = await this.#chainState(chainId);
      for (let i = 0; i < numbers.length; i++) {
        const segment = numbers[i]!;
        const file = path.join(this.#dir, segmentFileName(chainId, segment));
        let result: { stored: number } | undefined;
        try {
          result = stored < budget ? await this.#shipSegment(chainId, state, segment, file, budget - stored) : undefined;
        } catch (error) {
          if (!(error instanceof JournalCorruptError)) throw error;
          // One damaged file must not stop the node's audit trail: set it aside for people to
          // look at and go on. The store's chain now has a gap, which `audit verify` reports.
          this.#report(error);
          renameQuietly(file, `${file}.corrupt`);
          state.offsets.delete(segment);
          continue;
        }
        stored += result?.stored ?? 0;
        const size = fileSize(file);
        const offset = state.offsets.get(segment) ?? 0;
        const last = i === numbers.length - 1;
        const writerGone = last && !writerAlive(chainId);
        if (writerGone && offset < size && result && result.stored === 0 && stored < budget) {
          // A dead writer's unterminated last line: its write never completed, so no response
          // waited on it. Nothing acknowledged is lost by dropping it.
          this.#report(new JournalCorruptError(`${file}: dropped ${size - offset} bytes of an unfinished last line (writer gone)`));
          state.offsets.set(segment, size);
        }
        const read = state.offsets.get(segment) ?? 0;
        backlog += Math.max(0, size - read);
        const finished = size >= 0 && read >= size;
        // A segment is done when read to its end and its writer has started a later one or is gone.
        if (finished && (!last || writerGone)) {
          removeQuietly(file);
          state.offsets.delete(segment);
          if (last) this.#chains.delete(chainId);
        }
      }
    }
    this.#stats.backlogBytes = backlog;
    return stored;
  }

  #report(error: unknown): void {
    callHook(() => this.#opts.onError?.(error, 0));
  }

  async #loop(): Promise<void> {
    let attempt = 0;
    while (!this.#stopping) {
      const started = Date.now();
      let stored = 0;
      try {
        stored = await this.shipOnce();
        attempt = 0;
        this.#stats.storeHealthy = true;
      } catch (error) {
        attempt++;
        this.#stats.failedAttempts++;
        this.#stats.storeHealthy = false;
        callHook(() => this.#opts.onError?.(error, attempt));
      }
      // Rate limit: a batch of n records takes at least n / maxPerSecond seconds.
      const floor = (stored / this.#maxPerSecond) * 1000;
      const backoff = attempt > 0 ? Math.min(5_000, 100 * 2 ** (attempt - 1)) : 0;
      const pause = Math.max(stored < this.#batchSize ? this.#lingerMs : 0, floor - (Date.now() - started), backoff);
      if (pause > 0) await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pause);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = undefined;
    }
  }

  #listSegments(): Map<string, number[]> {
    let files: string[];
    try {
      files = readdirSync(this.#dir);
    } catch {
      return new Map();
    }
    const byChain = new Map<string, number[]>();
    for (const f of files) {
      const parsed = parseSegmentFileName(f);
      if (!parsed) continue;
      const list = byChain.get(parsed.chainId) ?? [];
      list.push(parsed.segment);
      byChain.set(parsed.chainId, list);
    }
    for (const list of byChain.values()) list.sort((a, b) => a - b);
    return byChain;
  }

  async #chainState(chainId: string): Promise<ChainState> {
    let state = this.#chains.get(chainId);
    if (!state) {
      state = { storedSeq: 0, headChecked: false, offsets: new Map() };
      this.#chains.set(chainId, state);
    }
    if (!state.headChecked) {
      // A restarted shipper resumes where the store's head says this chain stands.
      const head = await auditChains(this.#db).findOne({ _id: chainId }, { projection: { lastSeq: 1 } });
      state.storedSeq = Math.max(state.storedSeq, head?.lastSeq ?? 0);
      state.headChecked = true;
    }
    return state;
  }

  /** Reads whole lines from where it stopped, stores them in batches; stops at `budget`. */
  async #shipSegment(chainId: string, state: ChainState, segment: number, file: string, budget: number): Promise<{ stored: number }> {
    let stored = 0;
    while (stored < budget) {
      const offset = state.offsets.get(segment) ?? 0;
      const wanted = Math.min(this.#batchSize, budget - stored);
      const { records, lines, consumed } = readRecords(file, offset, wanted);
      if (consumed === 0) break;
      // Records are in sequence order; those up to storedSeq are in the store already.
      let skip = 0;
      while (skip < records.length && records[skip]!.seq <= state.storedSeq) skip++;
      const fresh = records.slice(skip);
      if (fresh.length > 0) {
        await storeAuditBatch(this.#db, originOfChainId(chainId), fresh, this.#clock(), state.storedSeq === 0, lines.slice(skip));
        state.storedSeq = fresh[fresh.length - 1]!.seq;
        stored += fresh.length;
        this.#stats.shipped += fresh.length;
        this.#stats.batches++;
        const seq = state.storedSeq;
        callHook(() => this.#opts.onShipped?.(chainId, seq));
      }
      state.offsets.set(segment, offset + consumed);
      // Short of a batch means this pass caught up with the writer. Reading on would chase a
      // trickle of new lines with one small insert each (a busy store, and a wake-up of every
      // worker per insert); the loop's linger lets them gather into one batch instead.
      if (records.length < wanted) break;
    }
    return { stored };
  }
}

/** Up to `max` whole lines from `offset`: the records, their lines (newline included) and how many bytes they took. */
function readRecords(file: string, offset: number, max: number): { records: AuditRecordDocument[]; lines: string[]; consumed: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { records: [], lines: [], consumed: 0 };
  }
  try {
    const records: AuditRecordDocument[] = [];
    const lines: string[] = [];
    let consumed = 0;
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    while (records.length < max) {
      const n = readSync(fd, buf, 0, READ_CHUNK, offset + consumed);
      if (n === 0) break;
      let start = 0;
      let nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= n) {
        // A line longer than a chunk cannot be an audit record (events are bounded); a partial
        // last line is being written right now: wait for the rest.
        break;
      }
      while (nl >= 0 && nl < n && records.length < max) {
        const line = buf.toString('utf8', start, nl + 1);
        try {
          records.push(parseJournalLine(line.slice(0, -1)));
          lines.push(line);
        } catch {
          throw new JournalCorruptError(`${file}: unreadable record at byte ${offset + consumed + start}`);
        }
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      consumed += start;
    }
    return { records, lines, consumed };
  } finally {
    closeSync(fd);
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return -1;
  }
}

function renameQuietly(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // gone already
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone (another shipper on the same disk)
  }
}

/** Is the process that writes this chain still running (on this host)? Unknown hosts count as alive. */
function writerAlive(chainId: string): boolean {
  const origin = originOfChainId(chainId);
  if (origin.hostname !== hostname().replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64)) return true;
  try {
    process.kill(origin.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
