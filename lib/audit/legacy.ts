import type { Db } from 'mongodb';
import { encodeAuditBlock } from './blocks.js';
import { isDuplicateKeyError } from '../store/mongo.js';
import { AUDIT_BLOCKS_COLLECTION, type AuditBlockDocument } from './blocks.js';
import type { AuditRecordDocument } from './store.js';

/** Where records were kept before blocks: one document per record. */
export const LEGACY_AUDIT_EVENTS_COLLECTION = 'auditEvents';

const RECORDS_PER_BLOCK = 500;

/**
 * Moves records of the per-record layout into blocks, unchanged (same ids, same hashes), so
 * queries and verification see one trail. Each block is named after its first record, so a
 * run that is interrupted, or two processes starting at once, store it once; records are
 * deleted only after their block is stored. Tampered records move as they are, and
 * verification reports them as before.
 */
export async function migrateLegacyAuditEvents(db: Db): Promise<number> {
  const legacy = db.collection<AuditRecordDocument>(LEGACY_AUDIT_EVENTS_COLLECTION);
  if ((await legacy.estimatedDocumentCount()) === 0) return 0;
  const blocks = db.collection<AuditBlockDocument>(AUDIT_BLOCKS_COLLECTION);
  let moved = 0;
  for (const chainId of await legacy.distinct('chainId')) {
    for (;;) {
      const records = await legacy.find({ chainId }, { sort: { seq: 1, _id: 1 }, limit: RECORDS_PER_BLOCK }).toArray();
      if (records.length === 0) break;
      try {
        await blocks.insertOne(encodeAuditBlock(records, { id: `legacy:${records[0]!._id.toHexString()}` }));
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      await legacy.deleteMany({ _id: { $in: records.map((r) => r._id) } });
      moved += records.length;
    }
  }
  return moved;
}
