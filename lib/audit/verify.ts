import type { Db } from 'mongodb';
import { type ChainedFields, genesisHash, recordHash } from './canonical.js';
import { type AuditChainHead, type AuditRecordDocument, auditChains, auditEvents } from './store.js';

/**
 * Walks every chain in sequence order and reports what does not add up:
 * - `altered`: a record's content no longer matches its hash, or its hash no longer matches
 *   what its successor (or the chain head) recorded — i.e. someone edited it and re-hashed it;
 * - `out-of-order`: a genuine record sits at another position than the one it was written at
 *   (sequence numbers swapped or moved);
 * - `missing`: a gap in the sequence (records deleted from the middle); `count` says how many;
 * - `truncated`: the chain head says the chain is longer than what is stored (tail deleted);
 * - `unanchored-tail`: records after the head's last sequence that the head never confirmed,
 *   older than `anchorGraceMs` (a writer that crashed between insert and head update, or
 *   records appended by someone else), or records of a chain with no head at all.
 *
 * Memory is bounded per chain (a small window of recent hashes), so it scales with the number
 * of chains, not records. An attacker with write access who rewrites a whole tail *and* the
 * head is not detectable by an unkeyed hash chain; see the report for anchoring options.
 */
export type AuditProblemKind = 'altered' | 'missing' | 'out-of-order' | 'truncated' | 'unanchored-tail';

export interface AuditProblem {
  chainId: string;
  seq: number;
  kind: AuditProblemKind;
  /** The stored record concerned; absent for records that no longer exist. */
  recordId?: string;
  /** For ranges (missing, truncated, unanchored-tail): how many sequence numbers. */
  count?: number;
  detail?: string;
}

export interface AuditVerification {
  ok: boolean;
  chains: number;
  records: number;
  problems: AuditProblem[];
  /** True when more than `maxProblems` were found and the list was cut. */
  problemsTruncated: boolean;
  durationMs: number;
}

export interface VerifyOptions {
  /** Only this chain. */
  chainId?: string;
  anchorGraceMs?: number;
  maxProblems?: number;
  now?: Date;
}

/** How far either side of its position a record is tried when explaining a hash mismatch as a move. */
const REORDER_SEARCH = 8;
const RECENT_WINDOW = 4096;

interface Prev {
  seq: number;
  hash: string;
  id: string;
  reported: boolean;
}

export async function verifyAuditChains(db: Db, options: VerifyOptions = {}): Promise<AuditVerification> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const graceMs = options.anchorGraceMs ?? 60_000;
  const maxProblems = options.maxProblems ?? 1000;
  const problems: AuditProblem[] = [];
  let problemsTruncated = false;
  const report = (p: AuditProblem): void => {
    if (problems.length < maxProblems) problems.push(p);
    else problemsTruncated = true;
  };

  // Heads first: anything written after this snapshot shows up as a (recent, tolerated) unanchored tail.
  const headFilter = options.chainId ? { _id: options.chainId } : {};
  const heads = new Map<string, AuditChainHead>();
  for await (const head of auditChains(db).find(headFilter)) heads.set(head._id, head);
  const chainIds = new Set(heads.keys());

  let records = 0;
  let chain: ChainWalk | undefined;
  const cursor = auditEvents(db)
    .find(options.chainId ? { chainId: options.chainId } : {}, { sort: { chainId: 1, seq: 1 } })
    .batchSize(2000);
  try {
    for await (const doc of cursor) {
      records++;
      if (!chain || chain.chainId !== doc.chainId) {
        chain?.finish();
        chainIds.add(doc.chainId);
        chain = new ChainWalk(doc.chainId, heads.get(doc.chainId), report, now, graceMs);
        heads.delete(doc.chainId);
      }
      chain.visit(doc);
    }
  } finally {
    await cursor.close();
  }
  chain?.finish();
  // Heads whose records are all gone.
  for (const head of heads.values()) {
    if (head.lastSeq > 0) report({ chainId: head._id, seq: 1, kind: 'truncated', count: head.lastSeq, detail: 'chain head has no records' });
  }
  return { ok: problems.length === 0, chains: chainIds.size, records, problems, problemsTruncated, durationMs: performance.now() - started };
}

class ChainWalk {
  #prev: Prev | undefined;
  #expectedSeq = 1;
  #anchor: Prev | undefined;
  readonly #recent = new Map<string, number>();

  constructor(
    readonly chainId: string,
    private readonly head: AuditChainHead | undefined,
    private readonly report: (p: AuditProblem) => void,
    private readonly now: Date,
    private readonly graceMs: number,
  ) {}

  visit(doc: AuditRecordDocument): void {
    const id = doc._id.toHexString();
    const selfOk = safeHash(doc) === doc.hash;
    let linkCheckable = true;
    if (doc.seq > this.#expectedSeq) {
      this.report({ chainId: this.chainId, seq: this.#expectedSeq, kind: 'missing', count: doc.seq - this.#expectedSeq });
      linkCheckable = false;
    } else if (doc.seq < this.#expectedSeq) {
      // Only possible if the unique (chainId, seq) index was dropped and a record duplicated.
      this.report({ chainId: this.chainId, seq: doc.seq, kind: 'out-of-order', recordId: id, detail: 'duplicate sequence number' });
      return;
    }

    let reported = false;
    if (!selfOk) {
      const original = this.#originalSeq(doc);
      this.report(
        original === undefined
          ? { chainId: this.chainId, seq: doc.seq, kind: 'altered', recordId: id, detail: 'content does not match its hash' }
          : { chainId: this.chainId, seq: doc.seq, kind: 'out-of-order', recordId: id, detail: `written as sequence ${original}` },
      );
      reported = true;
    } else if (linkCheckable) {
      const expectedPrev = this.#prev ? this.#prev.hash : genesisHash(this.chainId);
      if (doc.prevHash !== expectedPrev) {
        // The successor's record of its predecessor is the older truth: the predecessor changed.
        if (this.#prev && !this.#prev.reported) {
          this.report({ chainId: this.chainId, seq: this.#prev.seq, kind: 'altered', recordId: this.#prev.id, detail: 'hash differs from what the next record chained' });
          this.#prev.reported = true;
        } else if (!this.#prev) {
          this.report({ chainId: this.chainId, seq: doc.seq, kind: 'altered', recordId: id, detail: 'does not start from the chain genesis' });
          reported = true;
        }
      }
    }

    this.#prev = { seq: doc.seq, hash: doc.hash, id, reported };
    if (this.head && doc.seq === this.head.lastSeq) this.#anchor = this.#prev;
    this.#expectedSeq = doc.seq + 1;
    this.#recent.set(doc.hash, doc.seq);
    if (this.#recent.size > RECENT_WINDOW) this.#recent.delete(this.#recent.keys().next().value!);
  }

  finish(): void {
    const last = this.#prev;
    if (!last) return;
    const head = this.head;
    if (!head) {
      this.report({ chainId: this.chainId, seq: 1, kind: 'unanchored-tail', count: last.seq, detail: 'chain has no head record' });
      return;
    }
    if (head.lastSeq > last.seq) {
      this.report({ chainId: this.chainId, seq: last.seq + 1, kind: 'truncated', count: head.lastSeq - last.seq });
      return;
    }
    const anchor = this.#anchor;
    if (head.lastSeq > 0 && anchor && anchor.hash !== head.lastHash && !anchor.reported) {
      this.report({ chainId: this.chainId, seq: anchor.seq, kind: 'altered', recordId: anchor.id, detail: 'hash differs from the chain head' });
    }
    if (last.seq > head.lastSeq && this.now.getTime() - head.updatedAt.getTime() > this.graceMs) {
      this.report({ chainId: this.chainId, seq: head.lastSeq + 1, kind: 'unanchored-tail', count: last.seq - head.lastSeq });
    }
  }

  /** A record whose hash fits another sequence number was moved, not edited. */
  #originalSeq(doc: AuditRecordDocument): number | undefined {
    const candidates = new Set<number>();
    const before = this.#recent.get(doc.prevHash);
    if (before !== undefined) candidates.add(before + 1);
    for (let d = 1; d <= REORDER_SEARCH; d++) {
      candidates.add(doc.seq + d);
      if (doc.seq - d >= 1) candidates.add(doc.seq - d);
    }
    for (const seq of candidates) {
      if (seq !== doc.seq && safeHash({ ...doc, seq }) === doc.hash) return seq;
    }
    return undefined;
  }
}

/** A record mangled badly enough to break encoding (e.g. a field's type changed) is simply "altered". */
function safeHash(doc: ChainedFields): string | undefined {
  try {
    return recordHash(doc);
  } catch {
    return undefined;
  }
}
