import type { Db, Filter, ObjectId } from 'mongodb';
import type { AuditRecordDocument } from './store.js';

/**
 * Where records were kept before blocks: one document per record (`auditEvents`). Nothing is
 * written there any more and nothing is moved out: moving a large trail would hold up every
 * process's start, and deleting audit records is not something to do in passing. Queries,
 * export and verification read these records alongside the blocks (record-stream.ts,
 * verify.ts); a store that never had them pays one metadata count per read.
 */
export const LEGACY_AUDIT_EVENTS_COLLECTION = 'auditEvents';

function legacyEvents(db: Db) {
  return db.collection<AuditRecordDocument>(LEGACY_AUDIT_EVENTS_COLLECTION);
}

export async function hasLegacyAuditRecords(db: Db): Promise<boolean> {
  return (await legacyEvents(db).estimatedDocumentCount()) > 0;
}

/** The legacy records matching the record filter, in (time, id) order, after the paging position. */
export async function* legacyAuditRecords(
  db: Db,
  filter: Filter<AuditRecordDocument>,
  options: { order: 'asc' | 'desc'; after?: { time: Date; id: ObjectId } },
): AsyncGenerator<AuditRecordDocument> {
  const dir = options.order === 'desc' ? -1 : 1;
  const after = options.after;
  const beyond = dir === -1 ? '$lt' : '$gt';
  const query: Filter<AuditRecordDocument> = after
    ? { $and: [filter, { $or: [{ time: { [beyond]: after.time } }, { time: after.time, _id: { [beyond]: after.id } }] }] }
    : filter;
  const cursor = legacyEvents(db).find(query, { sort: { time: dir, _id: dir } }).batchSize(500);
  try {
    yield* cursor;
  } finally {
    await cursor.close();
  }
}

/** Every legacy record, in store order (verification walks chains itself). */
export async function* allLegacyAuditRecords(db: Db, chainId?: string): AsyncGenerator<AuditRecordDocument> {
  const cursor = legacyEvents(db)
    .find(chainId ? { chainId } : {})
    .batchSize(2000);
  try {
    yield* cursor;
  } finally {
    await cursor.close();
  }
}
