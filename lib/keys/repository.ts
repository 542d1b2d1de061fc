import type { Binary, Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';

/** Which L1 key wrapped an L2 version. */
export interface L1Reference {
  configId: string;
  keyId: string;
  keyVersion?: string;
}

/** An L2 version at rest: only ever the L1-wrapped blob, never the key. */
export interface WrappedL2Record {
  _id: string;
  tenantId: string;
  version: number;
  wrapped: Binary;
  l1: L1Reference;
  state: 'active' | 'retired';
  createdAt: Date;
  rewrappedAt?: Date;
}

export interface WrappedL2 {
  tenantId: string;
  version: number;
  wrapped: Buffer;
  l1: L1Reference;
  state: 'active' | 'retired';
  createdAt: Date;
}

const recordId = (tenantId: string, version: number) => `${tenantId}/v${version}`;

function toWrapped(record: WrappedL2Record): WrappedL2 {
  return {
    tenantId: record.tenantId,
    version: record.version,
    wrapped: Buffer.from(record.wrapped.buffer),
    l1: record.l1,
    state: record.state,
    createdAt: record.createdAt,
  };
}

export class WrappedL2Repository {
  readonly collection: Collection<WrappedL2Record>;

  constructor(db: Db) {
    this.collection = db.collection<WrappedL2Record>('tenantKeys');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ tenantId: 1, version: -1 });
  }

  /**
   * Stores a new version unless that version already exists, and returns what is stored.
   * A retried activity therefore never creates a second L2 for the same version.
   */
  async insertIfAbsent(entry: Omit<WrappedL2, 'state' | 'createdAt'>, now = new Date()): Promise<{ record: WrappedL2; created: boolean }> {
    const record: WrappedL2Record = {
      _id: recordId(entry.tenantId, entry.version),
      tenantId: entry.tenantId,
      version: entry.version,
      wrapped: entry.wrapped as unknown as Binary,
      l1: entry.l1,
      state: 'active',
      createdAt: now,
    };
    try {
      await this.collection.insertOne(record);
      return { record: { ...entry, state: 'active', createdAt: now }, created: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.get(entry.tenantId, entry.version);
      if (!existing) throw error;
      return { record: existing, created: false };
    }
  }

  async get(tenantId: string, version: number): Promise<WrappedL2 | undefined> {
    const record = await this.collection.findOne({ _id: recordId(tenantId, version) });
    return record ? toWrapped(record) : undefined;
  }

  async list(tenantId: string): Promise<WrappedL2[]> {
    const records = await this.collection.find({ tenantId }).sort({ version: 1 }).toArray();
    return records.map(toWrapped);
  }

  async latestVersion(tenantId: string): Promise<number | undefined> {
    const record = await this.collection.find({ tenantId }).sort({ version: -1 }).limit(1).next();
    return record?.version;
  }

  /** L1 rotation: swaps the wrapped blob only if it is still the one that was read (no lost update). */
  async replaceWrapped(tenantId: string, version: number, expected: Buffer, wrapped: Buffer, l1: L1Reference, now = new Date()): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: recordId(tenantId, version), wrapped: expected as unknown as Binary },
      { $set: { wrapped: wrapped as unknown as Binary, l1, rewrappedAt: now } },
    );
    return result.modifiedCount === 1;
  }

  async retire(tenantId: string, version: number): Promise<void> {
    await this.collection.updateOne({ _id: recordId(tenantId, version) }, { $set: { state: 'retired' } });
  }

  /** Crypto-shredding: without the wrapped L2 versions nothing derived from them can be recomputed. */
  async deleteTenant(tenantId: string): Promise<number> {
    const result = await this.collection.deleteMany({ tenantId });
    return result.deletedCount;
  }
}
