import type { Db, Filter, ObjectId } from 'mongodb';
import { type AuditBlockDocument, decodeAuditBlock, isEphemeralObjectId } from './blocks.js';
import { hasLegacyAuditRecords, legacyAuditRecords } from './legacy.js';
import { type AuditRecordDocument, auditBlocks } from './store.js';

/**
 * Audit records matching a filter, in time order across all chains, read from blocks.
 *
 * Blocks of different chains overlap in time, so they are read in order of their time bound
 * (`to` when newest first, `from` when oldest first) and a record is released only once no
 * unread block can hold one that comes before it. Memory holds the matching records of the
 * blocks that overlap the current position, not the trail.
 *
 * The filter is the record-level filter of `buildAuditFilter` (lib/audit/query.ts); the block
 * summaries narrow which blocks are read, and every record is then matched exactly.
 */
export interface RecordStreamOptions {
  order: 'asc' | 'desc';
  /** Only records strictly after this (time, id) position, in `order` (paging). */
  after?: { time: Date; id: ObjectId };
  /** Blocks per round trip; default 16 (a block is up to 500 records). */
  batchSize?: number;
}

export async function* streamAuditRecords(db: Db, filter: Filter<AuditRecordDocument>, options: RecordStreamOptions): AsyncGenerator<AuditRecordDocument> {
  const fromBlocks = blockRecords(db, filter, options);
  if (!(await hasLegacyAuditRecords(db))) {
    yield* fromBlocks;
    return;
  }
  // Records stored one per document before blocks (legacy.ts) are in their own (time, id) order.
  yield* mergeInOrder(fromBlocks, legacyAuditRecords(db, filter, options), options.order);
}

async function* blockRecords(db: Db, filter: Filter<AuditRecordDocument>, options: RecordStreamOptions): AsyncGenerator<AuditRecordDocument> {
  const desc = options.order === 'desc';
  const matches = recordMatcher(filter);
  const after = options.after;
  const inOrder = streamOrder(options.order);
  const beyondCursor = (r: AuditRecordDocument): boolean => !after || inOrder(r, after) > 0;

  const cursor = auditBlocks(db)
    .find(blockFilter(filter, options), { sort: desc ? { to: -1, _id: -1 } : { from: 1, _id: 1 } })
    .batchSize(options.batchSize ?? 16);
  let pending: AuditRecordDocument[] = [];
  function* release(until?: Date): Generator<AuditRecordDocument> {
    pending.sort(inOrder);
    // Every unread block lies at or beyond `until`: records strictly before it are final.
    const cut = until === undefined ? pending.length : pending.findIndex((r) => (desc ? r.time <= until : r.time >= until));
    const ready = cut < 0 ? pending : pending.slice(0, cut);
    pending = cut < 0 ? [] : pending.slice(cut);
    yield* ready;
  }
  try {
    for await (const block of cursor) {
      yield* release(desc ? block.to : block.from);
      for (const r of decodeAuditBlock(block)) if (matches(r) && beyondCursor(r)) pending.push(r);
    }
    yield* release();
  } finally {
    await cursor.close();
  }
}

/** Two streams, each in `order`, as one in `order`. */
async function* mergeInOrder(a: AsyncGenerator<AuditRecordDocument>, b: AsyncGenerator<AuditRecordDocument>, order: 'asc' | 'desc'): AsyncGenerator<AuditRecordDocument> {
  const inOrder = streamOrder(order);
  try {
    let x = await a.next();
    let y = await b.next();
    while (!x.done || !y.done) {
      if (y.done || (!x.done && inOrder(x.value, y.value) < 0)) {
        yield x.value as AuditRecordDocument;
        x = await a.next();
      } else {
        yield y.value;
        y = await b.next();
      }
    }
  } finally {
    await Promise.all([a.return(undefined), b.return(undefined)]);
  }
}

type Positioned = { time: Date; _id?: ObjectId; id?: ObjectId };

/** `compareRecords` for a stream in `order`: negative when `a` comes first. */
function streamOrder(order: 'asc' | 'desc'): (a: Positioned, b: Positioned) => number {
  return order === 'desc' ? (a, b) => compareRecords(b, a) : compareRecords;
}

/** Oldest first by time, then by record id (ObjectId hex sorts like the id). */
export function compareRecords(a: Positioned, b: Positioned): number {
  const dt = a.time.getTime() - b.time.getTime();
  if (dt !== 0) return dt;
  const ai = (a._id ?? a.id)!.toHexString();
  const bi = (b._id ?? b.id)!.toHexString();
  return ai < bi ? -1 : ai > bi ? 1 : 0;
}

type Condition = unknown;

/** Which blocks can hold a matching record, from their summaries. */
function blockFilter(filter: Filter<AuditRecordDocument>, options: RecordStreamOptions): Filter<AuditBlockDocument> {
  const f = filter as Record<string, Condition>;
  const q: Record<string, unknown> = {};
  if ('tenantId' in f) q.tenants = f.tenantId;
  if ('operation' in f) q.operations = f.operation;
  if ('result' in f) q.results = f.result;
  if (f.crossTenant === true) q.crossTenant = true;
  const and: Array<Record<string, unknown>> = [];
  const objects = objectBlocks(f.objectId);
  if (objects) and.push(objects);
  const time = f.time as { $gte?: Date; $lt?: Date } | undefined;
  if (time?.$gte) and.push({ to: { $gte: time.$gte } });
  if (time?.$lt) and.push({ from: { $lt: time.$lt } });
  if (options.after) and.push(options.order === 'desc' ? { from: { $lte: options.after.time } } : { to: { $gte: options.after.time } });
  if (and.length) q.$and = and;
  return q as Filter<AuditBlockDocument>;
}

/**
 * Blocks that can name one of the object ids asked for: those listing a stored object's id (or
 * not listing at all), those naming an ephemeral key (or not saying). Undefined: no narrowing.
 */
function objectBlocks(condition: Condition): Record<string, unknown> | undefined {
  const ids = typeof condition === 'string' ? [condition] : (condition as { $in?: unknown[] } | undefined)?.$in;
  // No narrowing for what the summaries cannot answer (and `$in: []` matches no record anyway).
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id): id is string => typeof id === 'string')) return undefined;
  const stored = ids.filter((id) => !isEphemeralObjectId(id));
  const or: Array<Record<string, unknown>> = [];
  // `null` also matches blocks without the field.
  if (stored.length) or.push({ objects: { $in: [...stored, null] } });
  if (stored.length < ids.length) or.push({ ephemeralObjects: { $ne: false } });
  return or.length === 1 ? or[0] : { $or: or };
}

/** The record-level filter as a predicate: equality, `$in`, `$ne` and a `$gte`/`$lt` time range. */
export function recordMatcher(filter: Filter<AuditRecordDocument>): (r: AuditRecordDocument) => boolean {
  const checks = Object.entries(filter as Record<string, Condition>).map(([field, condition]) => {
    const read = FIELDS[field];
    if (!read) throw new RangeError(`audit records cannot be filtered by ${field}`);
    const test = conditionTest(condition);
    return (r: AuditRecordDocument): boolean => test(read(r));
  });
  return (r) => checks.every((check) => check(r));
}

const FIELDS: Record<string, (r: AuditRecordDocument) => unknown> = {
  chainId: (r) => r.chainId,
  tenantId: (r) => r.tenantId ?? null,
  time: (r) => r.time,
  'actor.kind': (r) => r.actor?.kind,
  'actor.id': (r) => r.actor?.id,
  operation: (r) => r.operation,
  result: (r) => r.result,
  objectId: (r) => r.objectId,
  crossTenant: (r) => r.crossTenant,
};

function conditionTest(condition: Condition): (value: unknown) => boolean {
  if (condition === null || typeof condition !== 'object' || condition instanceof Date) return (v) => v === condition;
  const c = condition as { $in?: unknown[]; $ne?: unknown; $gte?: Date; $lt?: Date };
  if (c.$in) return (v) => c.$in!.includes(v);
  if ('$ne' in c) return (v) => v !== c.$ne;
  if (c.$gte || c.$lt) {
    return (v) => v instanceof Date && (!c.$gte || v >= c.$gte) && (!c.$lt || v < c.$lt);
  }
  throw new RangeError('unsupported audit filter condition');
}
