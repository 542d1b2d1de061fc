import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary } from 'mongodb';
import type { AuditResult } from './event.js';
import { journalLine, parseJournalLine } from './record-line.js';
import type { AuditRecordDocument } from './store.js';

/**
 * How the store keeps the audit trail: one document per stored batch of one chain (an audit
 * block), holding its records as compressed JSON lines, plus a summary of them (sequence range,
 * time range, tenants, operations, results, stored objects) that queries use to skip blocks.
 *
 * Why not a document per record: the trail grows with every KMIP operation, and on the
 * embedded store (FerretDB) each document costs about 115 µs of its CPU to insert with its
 * indexes — more than the KMIP server spends on the operation it records. A block of 500
 * records costs about 5 µs per record. Queries read whole blocks and filter in process
 * (lib/audit/record-stream.ts).
 *
 * The records inside are exactly what was hash-chained; the summary is derived from them and
 * carries no trust: verification recomputes it and reports a block whose summary lies (one
 * that would hide records from a tenant's queries) as altered.
 */
export const AUDIT_BLOCKS_COLLECTION = 'auditBlocks';

/** Compressed JSON lines (lib/audit/record-line.ts), deflate without header. */
export const AUDIT_BLOCK_FORMAT = 1;

/** No block inflates past this: a batch is at most a few thousand bounded records. */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

/** A block naming more stored objects than this lists none (and is read for every object query). */
export const MAX_LISTED_OBJECTS = 256;

/**
 * KMIP ephemeral key ids (`e1.<tenant>.…`, kmip-server/objects/ephemeral.ts): one per write and
 * never stored, so listing them would cost an index entry per record — what blocks avoid.
 */
export function isEphemeralObjectId(objectId: string): boolean {
  return /^e[0-9]+\./.test(objectId);
}

export interface AuditBlockSummary {
  chainId: string;
  firstSeq: number;
  lastSeq: number;
  count: number;
  /** Earliest and latest record time in the block. */
  from: Date;
  to: Date;
  /** Distinct tenant ids of its records; null for platform-wide records. */
  tenants: Array<string | null>;
  operations: string[];
  results: AuditResult[];
  /** True when any record is a cross-tenant attempt. */
  crossTenant: boolean;
  /**
   * Distinct ids of the stored objects its records name, so "every use of key X" reads only the
   * blocks that name X (index `objects_to`). Absent when not known — blocks stored before the
   * field existed, or naming more than MAX_LISTED_OBJECTS — and such a block is read for every
   * object query.
   */
  objects?: string[];
  /** Whether any record names an ephemeral key (not listed in `objects`); absent when not known. */
  ephemeralObjects?: boolean;
}

export interface AuditBlockDocument extends AuditBlockSummary {
  _id: string;
  format: number;
  records: Binary;
}

/** A stored block whose records cannot be read back (damaged, or edited by hand). */
export class AuditBlockCorruptError extends Error {
  override readonly name = 'AuditBlockCorruptError';
}

/** The id of the block that starts a chain's batch: a retried batch finds its earlier copy. */
export function auditBlockId(chainId: string, firstSeq: number): string {
  return `${chainId}:${firstSeq}`;
}

/**
 * Records of one chain, in sequence order, as one block document. `lines` are the records'
 * journal lines when the caller has them already (the shipper read them from disk), saving a
 * second serialisation; they must be exactly `journalLine(record)`.
 */
export function encodeAuditBlock(records: readonly AuditRecordDocument[], options: { id?: string; lines?: readonly string[] } = {}): AuditBlockDocument {
  const first = records[0];
  if (!first) throw new RangeError('an audit block needs at least one record');
  if (options.lines && options.lines.length !== records.length) throw new RangeError('one journal line per record');
  const text = (options.lines ?? records.map(journalLine)).join('');
  return {
    _id: options.id ?? auditBlockId(first.chainId, first.seq),
    ...summarize(records),
    format: AUDIT_BLOCK_FORMAT,
    records: new Binary(deflateRawSync(Buffer.from(text, 'utf8'), { level: 1 })),
  };
}

export function decodeAuditBlock(block: Pick<AuditBlockDocument, '_id' | 'format' | 'records'>): AuditRecordDocument[] {
  if (block.format !== AUDIT_BLOCK_FORMAT) throw new AuditBlockCorruptError(`audit block ${String(block._id)}: unknown format ${String(block.format)}`);
  if (!(block.records instanceof Binary)) throw new AuditBlockCorruptError(`audit block ${String(block._id)}: records are not binary`);
  let text: string;
  try {
    text = inflateRawSync(block.records.buffer.subarray(0, block.records.length()), { maxOutputLength: MAX_BLOCK_BYTES }).toString('utf8');
  } catch {
    throw new AuditBlockCorruptError(`audit block ${String(block._id)}: records do not decompress`);
  }
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new AuditBlockCorruptError(`audit block ${String(block._id)}: last record is cut off`);
  return lines.map((line, i) => {
    try {
      return parseJournalLine(line);
    } catch {
      throw new AuditBlockCorruptError(`audit block ${String(block._id)}: record ${i + 1} is not readable`);
    }
  });
}

/** What the summary of these records must be. Records are in the order stored. */
export function summarize(records: readonly AuditRecordDocument[]): AuditBlockSummary {
  const first = records[0]!;
  let from = first.time;
  let to = first.time;
  // Ranges from well-formed sequence numbers only (a tampered one is verify's to report).
  let firstSeq = Number.POSITIVE_INFINITY;
  let lastSeq = 0;
  let crossTenant = false;
  const tenants = new Set<string | null>();
  const operations = new Set<string>();
  const results = new Set<AuditResult>();
  const objects = new Set<string>();
  let ephemeralObjects = false;
  for (const r of records) {
    if (r.time < from) from = r.time;
    if (r.time > to) to = r.time;
    if (Number.isSafeInteger(r.seq)) {
      firstSeq = Math.min(firstSeq, r.seq);
      lastSeq = Math.max(lastSeq, r.seq);
    }
    tenants.add(r.tenantId ?? null);
    operations.add(r.operation);
    results.add(r.result);
    if (r.crossTenant === true) crossTenant = true;
    if (typeof r.objectId === 'string') {
      if (isEphemeralObjectId(r.objectId)) ephemeralObjects = true;
      else objects.add(r.objectId);
    }
  }
  return {
    chainId: first.chainId,
    firstSeq: Number.isFinite(firstSeq) ? firstSeq : 0,
    lastSeq,
    count: records.length,
    from: new Date(from.getTime()),
    to: new Date(to.getTime()),
    tenants: [...tenants],
    operations: [...operations],
    results: [...results],
    crossTenant,
    ...(objects.size <= MAX_LISTED_OBJECTS ? { objects: [...objects] } : {}),
    ephemeralObjects,
  };
}

/** Why a stored block's summary does not describe its records; undefined when it does. */
export function summaryMismatch(block: AuditBlockSummary, records: readonly AuditRecordDocument[]): string | undefined {
  if (records.length === 0) return 'block holds no records';
  const actual = summarize(records);
  const sameSet = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
  const fields: Array<[string, boolean]> = [
    ['chainId', block.chainId === actual.chainId && records.every((r) => r.chainId === block.chainId)],
    ['sequence range', block.firstSeq === actual.firstSeq && block.lastSeq === actual.lastSeq && block.count === actual.count],
    ['time range', block.from?.getTime?.() === actual.from.getTime() && block.to?.getTime?.() === actual.to.getTime()],
    ['tenants', Array.isArray(block.tenants) && sameSet(block.tenants, actual.tenants)],
    ['operations', Array.isArray(block.operations) && sameSet(block.operations, actual.operations)],
    ['results', Array.isArray(block.results) && sameSet(block.results, actual.results)],
    ['crossTenant', block.crossTenant === actual.crossTenant],
    // Absent means "not known" (read for every object query): only a present list can hide records.
    ['objects', block.objects === undefined || (Array.isArray(block.objects) && actual.objects !== undefined && sameSet(block.objects, actual.objects))],
    ['ephemeralObjects', block.ephemeralObjects === undefined || block.ephemeralObjects === actual.ephemeralObjects],
  ];
  const wrong = fields.filter(([, ok]) => !ok).map(([name]) => name);
  return wrong.length ? `block summary does not match its records (${wrong.join(', ')})` : undefined;
}
