import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';
import { AUDIT_BLOCKS_COLLECTION, type AuditBlockDocument, encodeAuditBlock } from './blocks.js';
import type { AuditRecordDocument } from './store.js';

/** Where records were kept before blocks: one document per record. */
export const LEGACY_AUDIT_EVENTS_COLLECTION = 'auditEvents';

const RECORDS_PER_BLOCK = 500;

/**
 * Moves records of the per-record layout into blocks, unchanged (same ids, same hashes), so
 * queries and verification see one trail. One pass per chain in sequence order; each block is
 * named after its first record, so a run that is interrupted, or two processes starting at
 * once, store it once; records are deleted only after their block is stored. Tampered records
 * move as they are, and verification reports them as before.
 */
export async function migrateLegacyAuditEvents(db: Db): Promise<number> {
  const legacy = db.collection<AuditRecordDocument>(LEGACY_AUDIT_EVENTS_COLLECTION);
  if ((await legacy.estimatedDocumentCount()) === 0) return 0;
  const blocks = db.collection<AuditBlockDocument>(AUDIT_BLOCKS_COLLECTION);
  let moved = 0;
  const store = async (records: AuditRecordDocument[]): Promise<void> => {
    try {
      await blocks.insertOne(encodeAuditBlock(records, { id: `legacy:${records[0]!._id.toHexString()}` }));
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    await legacy.deleteMany({ _id: { $in: records.map((r) => r._id) } });
    moved += records.length;
  };
  for (const chainId of await legacy.distinct('chainId')) {
    const cursor = legacy.find({ chainId }, { sort: { seq: 1, _id: 1 } }).batchSize(RECORDS_PER_BLOCK);
    try {
      let records: AuditRecordDocument[] = [];
      for await (const record of cursor) {
        records.push(record);
        if (records.length === RECORDS_PER_BLOCK) {
          await store(records);
          records = [];
        }
      }
      if (records.length > 0) await store(records);
    } finally {
      await cursor.close();
    }
  }
  return moved;
}
