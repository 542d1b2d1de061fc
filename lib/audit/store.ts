import type { Collection, Db, ObjectId } from 'mongodb';
import { AUDIT_BLOCKS_COLLECTION, type AuditBlockDocument } from './blocks.js';
import type { ChainedFields } from './canonical.js';

/**
 * `auditBlocks`: the records, hash-chained per writer, one document per stored batch
 * (lib/audit/blocks.ts). `auditChains`: each chain's head (last sequence number and hash),
 * updated after every batch, so removing records from the end of a chain is detectable.
 */
export const AUDIT_CHAINS_COLLECTION = 'auditChains';

/** One audit record: what a chain produces, a journal line holds and a block stores. */
export interface AuditRecordDocument extends ChainedFields {
  _id: ObjectId;
  hash: string;
}

export interface AuditChainHead {
  _id: string;
  role: string;
  hostname: string;
  pid: number;
  startedAt: Date;
  lastSeq: number;
  lastHash: string;
  updatedAt: Date;
}

export function auditBlocks(db: Db): Collection<AuditBlockDocument> {
  return db.collection<AuditBlockDocument>(AUDIT_BLOCKS_COLLECTION);
}

export function auditChains(db: Db): Collection<AuditChainHead> {
  return db.collection<AuditChainHead>(AUDIT_CHAINS_COLLECTION);
}

/** Indexes for block lookups by chain, tenant, object and time. */
export async function ensureAuditIndexes(db: Db): Promise<void> {
  const blocks = auditBlocks(db);
  await blocks.createIndex({ chainId: 1, firstSeq: 1 }, { name: 'chain_seq' });
  await blocks.createIndex({ tenants: 1, to: -1 }, { name: 'tenant_to' });
  await blocks.createIndex({ to: -1 }, { name: 'to' });
  await blocks.createIndex({ from: 1 }, { name: 'from' });
  // Multikey: "every use of key X" reads only the blocks that name X.
  await blocks.createIndex({ objects: 1, to: -1 }, { name: 'objects_to' });
}
