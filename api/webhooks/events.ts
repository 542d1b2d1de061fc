import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../../lib/store/mongo.js';

/**
 * Platform Mesh events seen, keyed by event id: the replay guard and the idempotency record.
 * An event stays `received` until its workflow was started, so a delivery that failed half-way
 * is retried by the sender's next delivery rather than dropped as a duplicate.
 */
export interface WebhookEventRecord {
  _id: string;
  type: string;
  tenantId: string;
  receivedAt: Date;
  state: 'received' | 'started';
  workflowId?: string;
  runId?: string;
  startedAt?: Date;
}

export class WebhookEventRepository {
  readonly collection: Collection<WebhookEventRecord>;

  constructor(db: Db) {
    this.collection = db.collection<WebhookEventRecord>('webhookEvents');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ tenantId: 1, receivedAt: -1 });
  }

  /** The new record, or the one already stored for this event id. */
  async record(event: Omit<WebhookEventRecord, 'state'>): Promise<{ fresh: boolean; record: WebhookEventRecord }> {
    const record: WebhookEventRecord = { ...event, state: 'received' };
    try {
      await this.collection.insertOne(record);
      return { fresh: true, record };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.collection.findOne({ _id: event._id });
      if (!existing) throw error;
      return { fresh: false, record: existing };
    }
  }

  async markStarted(id: string, workflow: { workflowId: string; runId: string }, now = new Date()): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { state: 'started', ...workflow, startedAt: now } });
  }
}
