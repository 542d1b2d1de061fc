import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';
import { genesisHash } from './canonical.js';
import { encodeAuditBlock } from './blocks.js';
import { type AuditChainHead, type AuditRecordDocument, auditBlocks, auditChains } from './store.js';

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
 * stored and is not stored twice, and the head only ever moves forward.
 */
export async function storeAuditBatch(
  db: Db,
  origin: ChainOrigin,
  batch: readonly AuditRecordDocument[],
  now: Date,
  createHead: boolean,
  /** The records' journal lines, when the caller read them from a journal (see encodeAuditBlock). */
  lines?: readonly string[],
): Promise<void> {
  const last = batch[batch.length - 1];
  if (!last) return;
  if (createHead) {
    try {
      await auditChains(db).insertOne({ _id: last.chainId, ...origin, lastSeq: 0, lastHash: genesisHash(last.chainId), updatedAt: now });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  await storeBlocks(db, batch, lines);
  await auditChains(db).updateOne({ _id: last.chainId, lastSeq: { $lt: last.seq } }, { $set: { lastSeq: last.seq, lastHash: last.hash, updatedAt: now } });
}

/**
 * The batch as one block. A retried batch may find a block stored by an earlier attempt at the
 * same first record: the records it holds are the same (the chain fixes them), so only those
 * after its last one still need a block of their own.
 */
async function storeBlocks(db: Db, batch: readonly AuditRecordDocument[], lines: readonly string[] | undefined): Promise<void> {
  let from = 0;
  while (from < batch.length) {
    const block = encodeAuditBlock(batch.slice(from), lines ? { lines: lines.slice(from) } : {});
    try {
      await auditBlocks(db).insertOne(block);
      return;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const earlier = await auditBlocks(db).findOne({ _id: block._id }, { projection: { lastSeq: 1 } });
    const storedUpTo = earlier?.lastSeq ?? Number.POSITIVE_INFINITY;
    // Records are in sequence order: skip those the earlier block holds.
    while (from < batch.length && batch[from]!.seq <= storedUpTo) from++;
  }
}
