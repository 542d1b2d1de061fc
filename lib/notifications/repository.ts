import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';

export type NotificationKind =
  | 'console-available'
  | 'l1-activated'
  | 'l1-error'
  | 'l1-recovered'
  | 'l1-revoked'
  | 'l2-rotated'
  | 'escalation'
  | 'tenant-offboarded';

export interface DeliveryState {
  state: 'pending' | 'delivered' | 'not-configured';
  attempts: number;
  lastError?: string;
  deliveredAt?: Date;
}

/** The outbox: what the console's notification centre shows and the outgoing webhook delivers. */
export interface NotificationRecord {
  _id: string;
  tenantId: string;
  kind: NotificationKind;
  title: string;
  message: string;
  dedupeKey: string;
  createdAt: Date;
  readAt?: Date;
  delivery: DeliveryState;
}

export type NewNotification = Pick<NotificationRecord, 'tenantId' | 'kind' | 'title' | 'message' | 'dedupeKey'>;

export class NotificationRepository {
  readonly collection: Collection<NotificationRecord>;

  constructor(db: Db) {
    this.collection = db.collection<NotificationRecord>('notifications');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ dedupeKey: 1 }, { unique: true });
    await this.collection.createIndex({ tenantId: 1, createdAt: -1 });
  }

  /** One notification per dedupe key, however often a retried activity asks. */
  async insertIfAbsent(input: NewNotification, now = new Date()): Promise<NotificationRecord> {
    const record: NotificationRecord = { ...input, _id: randomUUID(), createdAt: now, delivery: { state: 'pending', attempts: 0 } };
    try {
      await this.collection.insertOne(record);
      return record;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.collection.findOne({ dedupeKey: input.dedupeKey });
      if (!existing) throw error;
      return existing;
    }
  }

  get(id: string): Promise<NotificationRecord | null> {
    return this.collection.findOne({ _id: id });
  }

  list(tenantId: string, limit = 50): Promise<NotificationRecord[]> {
    return this.collection.find({ tenantId }).sort({ createdAt: -1 }).limit(limit).toArray();
  }

  async markRead(tenantId: string, id: string, now = new Date()): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, tenantId }, { $set: { readAt: now } });
    return result.matchedCount === 1;
  }

  /** Marks every unread notification of the tenant; those already read keep their time. */
  async markAllRead(tenantId: string, now = new Date()): Promise<number> {
    const result = await this.collection.updateMany({ tenantId, readAt: { $exists: false } }, { $set: { readAt: now } });
    return result.modifiedCount;
  }

  async recordDelivery(id: string, delivery: DeliveryState): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { delivery } });
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return (await this.collection.deleteMany({ tenantId })).deletedCount;
  }
}
