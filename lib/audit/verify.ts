import type { Db } from 'mongodb';
import { type ChainedFields, genesisHash, recordHash } from './canonical.js';
import { type AuditBlockDocument, decodeAuditBlock, summaryMismatch } from './blocks.js';
import { allLegacyAuditRecords } from './legacy.js';
import { type AuditChainHead, type AuditRecordDocument, auditBlocks, auditChains } from './store.js';

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
 * A block (lib/audit/blocks.ts) that cannot be read back is reported as `altered` for its whole
 * range, and so is one whose summary does not describe its records (it would hide them from
 * queries).
 *
 * One unsorted scan of the blocks, not a sorted query: a sort over the whole collection costs
 * FerretDB (the embedded store) more than twice the scan, and a scan is the cheapest read on
 * MongoDB too. Blocks of a chain arrive in insertion order, which is sequence order, so each
 * chain is walked as its records stream by; the few that arrive early (swapped, re-inserted)
 * wait in a small per-chain map. Memory is a few hundred bytes per chain plus those strays.
 *
 * An attacker with write access who rewrites a whole tail *and* the head is not detectable by
 * an unkeyed hash chain; anchoring heads outside the store (or keying the hash) closes that.
 */
export type AuditProblemKind = 'altered' | 'missing' | 'out-of-order' | 'truncated' | 'unanchored-tail';

export interface AuditProblem {
  chainId: string;
  seq: number;
  kind: AuditProblemKind;
  /** The stored record concerned; absent for records that no longer exist. */
  recordId?: string;
  /** The tenant of that record (null: platform-wide). */
  tenantId?: string | null;
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
  /** With `tenantId` in the options: how many chains and records hold that tenant's events. */
  tenant?: { chains: number; records: number };
}

export interface VerifyOptions {
  /** Only this chain. */
  chainId?: string;
  /** Also count this tenant's records and chains (`tenant` in the result). */
  tenantId?: string;
  anchorGraceMs?: number;
  maxProblems?: number;
  now?: Date;
}

/** How far either side of its position a record is tried when explaining a hash mismatch as a move. */
const REORDER_SEARCH = 16;

interface Prev {
  seq: number;
  hash: string;
  id: string;
  tenantId: string | null;
  reported: boolean;
}

/** Stands in for a record of a block that could not be read (already reported as altered). */
const DAMAGED = Symbol('damaged');
type Damaged = { [DAMAGED]: true; seq: number };

/** A damaged block's range is walked record by record; a range beyond this is not plausible. */
const MAX_DAMAGED_RANGE = 100_000;

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
  const tenantChains = new Set<string>();
  let tenantRecords = 0;
  const walks = new Map<string, ChainWalk>();
  const walkOf = (chainId: string): ChainWalk => {
    let walk = walks.get(chainId);
    if (!walk) {
      walk = new ChainWalk(chainId, heads.get(chainId), report, now, graceMs);
      walks.set(chainId, walk);
      chainIds.add(chainId);
      heads.delete(chainId);
    }
    return walk;
  };
  const offerRecord = (doc: AuditRecordDocument): void => {
    records++;
    if (options.tenantId !== undefined && doc.tenantId === options.tenantId) {
      tenantRecords++;
      tenantChains.add(doc.chainId);
    }
    walkOf(doc.chainId).offer(doc);
  };
  const cursor = auditBlocks(db)
    .find(options.chainId ? { chainId: options.chainId } : {})
    .batchSize(16);
  try {
    for await (const block of cursor) {
      const docs = readBlock(block, report);
      if (!docs) {
        walkOf(block.chainId).offerDamaged(block.firstSeq, block.lastSeq);
        continue;
      }
      for (const doc of docs) offerRecord(doc);
    }
  } finally {
    await cursor.close();
  }
  // Records stored one per document before blocks (legacy.ts).
  for await (const doc of allLegacyAuditRecords(db, options.chainId)) offerRecord(doc);
  for (const walk of walks.values()) walk.finish();
  // Heads whose records are all gone.
  for (const head of heads.values()) {
    if (head.lastSeq > 0) report({ chainId: head._id, seq: 1, kind: 'truncated', count: head.lastSeq, detail: 'chain head has no records' });
  }
  return {
    ok: problems.length === 0,
    chains: chainIds.size,
    records,
    problems,
    problemsTruncated,
    durationMs: performance.now() - started,
    ...(options.tenantId !== undefined ? { tenant: { chains: tenantChains.size, records: tenantRecords } } : {}),
  };
}

/** A block's records, or undefined (reported) when they cannot be read; a lying summary is reported too. */
function readBlock(block: AuditBlockDocument, report: (p: AuditProblem) => void): AuditRecordDocument[] | undefined {
  const range = { chainId: String(block.chainId), seq: Number(block.firstSeq), count: Number(block.lastSeq) - Number(block.firstSeq) + 1 };
  let docs: AuditRecordDocument[];
  try {
    docs = decodeAuditBlock(block);
  } catch (error) {
    report({ ...range, kind: 'altered', detail: (error as Error).message });
    return undefined;
  }
  const mismatch = summaryMismatch(block, docs);
  if (mismatch) report({ ...range, kind: 'altered', detail: `audit block ${block._id}: ${mismatch}` });
  return docs;
}

class ChainWalk {
  #prev: Prev | undefined;
  #expectedSeq = 1;
  #anchor: Prev | undefined;
  /** Records that arrived before their predecessor, by sequence number. */
  readonly #early = new Map<number, AuditRecordDocument | Damaged>();

  constructor(
    readonly chainId: string,
    private readonly head: AuditChainHead | undefined,
    private readonly report: (p: AuditProblem) => void,
    private readonly now: Date,
    private readonly graceMs: number,
  ) {}

  /** The records `firstSeq`..`lastSeq` exist but cannot be read: no gap, and no further reports about them. */
  offerDamaged(firstSeq: number, lastSeq: number): void {
    if (!Number.isSafeInteger(firstSeq) || !Number.isSafeInteger(lastSeq) || firstSeq < 1 || lastSeq < firstSeq || lastSeq - firstSeq >= MAX_DAMAGED_RANGE) return;
    for (let seq = firstSeq; seq <= lastSeq; seq++) this.offer({ [DAMAGED]: true, seq });
  }

  offer(doc: AuditRecordDocument | Damaged): void {
    if (!Number.isSafeInteger(doc.seq) || doc.seq < 1) {
      const d = doc as AuditRecordDocument;
      this.report({ chainId: this.chainId, seq: Number(d.seq), kind: 'altered', recordId: d._id.toHexString(), tenantId: d.tenantId ?? null, detail: 'sequence number is not a positive integer' });
      return;
    }
    if (doc.seq === this.#expectedSeq) {
      this.#visit(doc);
      for (let next = this.#early.get(this.#expectedSeq); next; next = this.#early.get(this.#expectedSeq)) {
        this.#early.delete(next.seq);
        this.#visit(next);
      }
    } else if (doc.seq < this.#expectedSeq || this.#early.has(doc.seq)) {
      // Only possible if the unique (chainId, seq) index was dropped and a record duplicated.
      if (DAMAGED in doc) return;
      this.report({ chainId: this.chainId, seq: doc.seq, kind: 'out-of-order', recordId: doc._id.toHexString(), tenantId: doc.tenantId ?? null, detail: 'duplicate sequence number' });
    } else {
      this.#early.set(doc.seq, doc);
    }
  }

  #visit(doc: AuditRecordDocument | Damaged): void {
    if (DAMAGED in doc) {
      this.#prev = { seq: doc.seq, hash: '', id: '', tenantId: null, reported: true };
      if (this.head && doc.seq === this.head.lastSeq) this.#anchor = this.#prev;
      this.#expectedSeq = doc.seq + 1;
      return;
    }
    const id = doc._id.toHexString();
    const tenantId = doc.tenantId ?? null;
    const selfOk = safeHash(doc) === doc.hash;
    let linkCheckable = true;
    if (doc.seq > this.#expectedSeq) {
      this.report({ chainId: this.chainId, seq: this.#expectedSeq, kind: 'missing', count: doc.seq - this.#expectedSeq });
      linkCheckable = false;
    }

    let reported = false;
    if (!selfOk) {
      const original = this.#originalSeq(doc);
      this.report(
        original === undefined
          ? { chainId: this.chainId, seq: doc.seq, kind: 'altered', recordId: id, tenantId, detail: 'content does not match its hash' }
          : { chainId: this.chainId, seq: doc.seq, kind: 'out-of-order', recordId: id, tenantId, detail: `written as sequence ${original}` },
      );
      reported = true;
    } else if (linkCheckable) {
      const expectedPrev = this.#prev ? this.#prev.hash : genesisHash(this.chainId);
      if (doc.prevHash !== expectedPrev) {
        // The successor's record of its predecessor is the older truth: the predecessor changed.
        if (this.#prev && !this.#prev.reported) {
          const prev = this.#prev;
          this.report({ chainId: this.chainId, seq: prev.seq, kind: 'altered', recordId: prev.id, tenantId: prev.tenantId, detail: 'hash differs from what the next record chained' });
          this.#prev.reported = true;
        } else if (!this.#prev) {
          this.report({ chainId: this.chainId, seq: doc.seq, kind: 'altered', recordId: id, tenantId, detail: 'does not start from the chain genesis' });
          reported = true;
        }
      }
    }

    this.#prev = { seq: doc.seq, hash: doc.hash, id, tenantId, reported };
    if (this.head && doc.seq === this.head.lastSeq) this.#anchor = this.#prev;
    this.#expectedSeq = doc.seq + 1;
  }

  finish(): void {
    // Whatever still waits follows a gap: walk it in order, reporting the gaps as missing.
    for (const seq of [...this.#early.keys()].sort((a, b) => a - b)) this.#visit(this.#early.get(seq)!);
    this.#early.clear();
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
      this.report({ chainId: this.chainId, seq: anchor.seq, kind: 'altered', recordId: anchor.id, tenantId: anchor.tenantId, detail: 'hash differs from the chain head' });
    }
    if (last.seq > head.lastSeq && this.now.getTime() - head.updatedAt.getTime() > this.graceMs) {
      this.report({ chainId: this.chainId, seq: head.lastSeq + 1, kind: 'unanchored-tail', count: last.seq - head.lastSeq });
    }
  }

  /** A record whose hash fits another sequence number was moved, not edited. */
  #originalSeq(doc: AuditRecordDocument): number | undefined {
    const candidates = new Set<number>();
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
