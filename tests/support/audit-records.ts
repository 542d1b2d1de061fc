import type { Db, Filter } from 'mongodb';
import { type AuditBlockDocument, decodeAuditBlock, encodeAuditBlock } from '../../lib/audit/blocks.js';
import { recordMatcher } from '../../lib/audit/record-stream.js';
import { type AuditRecordDocument, auditBlocks } from '../../lib/audit/store.js';

/**
 * Tests look at stored audit records one by one; the store keeps them in blocks
 * (lib/audit/blocks.ts). These read and rewrite records through the blocks.
 */

/**
 * Every stored record matching `filter` (the record-level filter language of lib/audit/query.ts),
 * by time (then chain and sequence number), or by sequence number alone.
 */
export async function auditRecords(db: Db, filter: Filter<AuditRecordDocument> = {}, order: 'time' | 'seq' = 'time'): Promise<AuditRecordDocument[]> {
  const matches = recordMatcher(filter);
  const chainId = (filter as { chainId?: unknown }).chainId;
  const blocks = await auditBlocks(db).find(typeof chainId === 'string' ? { chainId } : {}).toArray();
  const records = blocks.flatMap((b) => decodeAuditBlock(b)).filter(matches);
  if (order === 'seq') return records.sort((a, b) => a.seq - b.seq);
  return records.sort((a, b) => a.time.getTime() - b.time.getTime() || a.chainId.localeCompare(b.chainId) || a.seq - b.seq);
}

export async function countAuditRecords(db: Db, filter: Filter<AuditRecordDocument> = {}): Promise<number> {
  return (await auditRecords(db, filter)).length;
}

/**
 * Tampering as an attacker with write access to the store would: the chain's records are read
 * in stored order, `edit` changes them, and they are written back as one block whose summary
 * fits the edited records (so only the hash chain can tell).
 */
export async function tamperAuditChain(db: Db, chainId: string, edit: (records: AuditRecordDocument[]) => AuditRecordDocument[]): Promise<void> {
  const blocks = await auditBlocks(db).find({ chainId }).toArray();
  const records = edit(blocks.flatMap((b) => decodeAuditBlock(b)));
  await auditBlocks(db).deleteMany({ chainId });
  if (records.length > 0) await auditBlocks(db).insertOne(encodeAuditBlock(records, { id: `${chainId}:tampered` }));
}

/** The raw block documents of a chain, for tests that damage the block itself. */
export async function auditBlocksOf(db: Db, chainId: string): Promise<AuditBlockDocument[]> {
  return auditBlocks(db).find({ chainId }, { sort: { firstSeq: 1 } }).toArray();
}
