import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';
import type { TenantL1State, TenantRecord, TenantStatus } from './model.js';

export class TenantRepository {
  readonly collection: Collection<TenantRecord>;

  constructor(db: Db) {
    this.collection = db.collection<TenantRecord>('tenants');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ updatedAt: 1 });
  }

  /** Creates the tenant unless it exists; returns the stored record either way (idempotent). */
  async createIfAbsent(tenantId: string, displayName: string, now = new Date()): Promise<TenantRecord> {
    const record: TenantRecord = {
      _id: tenantId,
      displayName,
      status: 'provisioning',
      createdAt: now,
      l1: { status: 'inactive', changedAt: now },
      updatedAt: now,
    };
    try {
      await this.collection.insertOne(record);
      return record;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.get(tenantId);
      if (!existing) throw error;
      return existing;
    }
  }

  get(tenantId: string): Promise<TenantRecord | null> {
    return this.collection.findOne({ _id: tenantId });
  }

  async setStatus(tenantId: string, status: TenantStatus, reason?: string, now = new Date()): Promise<void> {
    const set: Partial<TenantRecord> = { status, updatedAt: now };
    if (status === 'ready') set.readyAt = now;
    await this.collection.updateOne(
      { _id: tenantId },
      reason === undefined ? { $set: set, $unset: { statusReason: '' } } : { $set: { ...set, statusReason: reason } },
    );
  }

  /** Replaces the L1 state; fields left out are removed, so a stale reason never lingers. */
  async setL1State(tenantId: string, state: Omit<TenantL1State, 'changedAt'>, now = new Date()): Promise<void> {
    await this.collection.updateOne({ _id: tenantId }, { $set: { l1: { ...state, changedAt: now }, updatedAt: now } });
  }

  /** Records a health check that changed nothing, without waking pollers. */
  async touchL1Check(tenantId: string, now = new Date()): Promise<void> {
    await this.collection.updateOne({ _id: tenantId }, { $set: { 'l1.checkedAt': now } });
  }

  changedSince(since: Date): Promise<TenantRecord[]> {
    return this.collection.find({ updatedAt: { $gt: since } }).sort({ updatedAt: 1 }).toArray();
  }

  async delete(tenantId: string): Promise<void> {
    await this.collection.deleteOne({ _id: tenantId });
  }
}
