import { hostname } from 'node:os';
import { type Db, MongoBulkWriteError } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';
import { genesisHash } from './canonical.js';
import { type AuditChainHead, type AuditRecordDocument, auditChains, auditEvents } from './store.js';

/** Who wrote a chain: the head document's descriptive fields. */
export type ChainOrigin = Pick<AuditChainHead, 'role' | 'hostname' | 'pid' | 'startedAt'>;

/** What a chain id (`<role>:<host>:<pid>:<ms>:<rand>`) says about its writer. */
export function originOfChainId(chainId: string): ChainOrigin {
  const [role = 'unknown', host = hostname(), pid = '0', ms = '0'] = chainId.split(':');
  return { role, hostname: host, pid: Number(pid) || 0, startedAt: new Date(Number(ms) || 0) };
}

/**
 * Stores one batch of a chain, in order, idempotently: the chain head is created with the first
 * batch (`createHead`; callers remember that they did), a retried batch may already be (partly)
 * stored and its duplicates are ignored, and the head only ever moves forward.
 */
export async function storeAuditBatch(db: Db, origin: ChainOrigin, batch: readonly AuditRecordDocument[], now: Date, createHead: boolean): Promise<void> {
  const last = batch[batch.length - 1];
  if (!last) return;
  if (createHead) {
    try {
      await auditChains(db).insertOne({ _id: last.chainId, ...origin, lastSeq: 0, lastHash: genesisHash(last.chainId), updatedAt: now });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  try {
    await auditEvents(db).insertMany(batch as AuditRecordDocument[], { ordered: false });
  } catch (error) {
    if (!everyRecordStored(error, batch.length)) throw error;
  }
  await auditChains(db).updateOne({ _id: last.chainId, lastSeq: { $lt: last.seq } }, { $set: { lastSeq: last.seq, lastHash: last.hash, updatedAt: now } });
}

/**
 * True when a bulk insert failed only because some records were already stored by an earlier
 * attempt. Network failures also surface as MongoBulkWriteError, with no write errors at all:
 * those must be retried, so this insists that inserted + duplicates account for every record.
 */
function everyRecordStored(error: unknown, expected: number): boolean {
  if (!(error instanceof MongoBulkWriteError)) return false;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length === 0 || !writeErrors.every((w) => w.code === 11000)) return false;
  return (error.insertedCount ?? 0) + writeErrors.length === expected;
}
