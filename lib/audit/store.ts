import type { Collection, Db, ObjectId } from 'mongodb';
import type { ChainedFields } from './canonical.js';

/**
 * `auditEvents`: one document per event, hash-chained per writer. `auditChains`: each chain's
 * head (last sequence number and hash), updated after every batch, so removing records from
 * the end of a chain is detectable.
 */
export const AUDIT_EVENTS_COLLECTION = 'auditEvents';
export const AUDIT_CHAINS_COLLECTION = 'auditChains';

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

export function auditEvents(db: Db): Collection<AuditRecordDocument> {
  return db.collection<AuditRecordDocument>(AUDIT_EVENTS_COLLECTION);
}

export function auditChains(db: Db): Collection<AuditChainHead> {
  return db.collection<AuditChainHead>(AUDIT_CHAINS_COLLECTION);
}

export async function ensureAuditIndexes(db: Db): Promise<void> {
  const events = auditEvents(db);
  await events.createIndex({ chainId: 1, seq: 1 }, { unique: true, name: 'chain_seq' });
  await events.createIndex({ tenantId: 1, time: -1, _id: -1 }, { name: 'tenant_time' });
  await events.createIndex({ time: -1, _id: -1 }, { name: 'time' });
}
