import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';

/** Every tenant gets this service at provisioning: the MongoDB deployment itself. */
export const DEFAULT_SERVICE_ID = 'mongodb';

export interface ServiceRecord {
  _id: string;
  tenantId: string;
  serviceId: string;
  description?: string;
  createdAt: Date;
  createdBy: string;
  /**
   * A certificate bundle OpenKCM generated for the service (key pair included), sealed until
   * it is downloaded once. Only provisioning creates one: nobody is there to receive it.
   */
  pendingBundle?: { serial: string; sealed: string; createdAt: Date };
}

/** Associated data binding a sealed certificate bundle to its service and certificate. */
export function bundleAad(tenantId: string, serviceId: string, serial: string): string {
  return `service-bundle:${tenantId}:${serviceId}:${serial}`;
}

export class ServiceRepository {
  readonly collection: Collection<ServiceRecord>;

  constructor(db: Db) {
    this.collection = db.collection<ServiceRecord>('services');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ tenantId: 1, serviceId: 1 });
  }

  /** Registers the service unless it exists (idempotent); reports which happened. */
  async createIfAbsent(input: Omit<ServiceRecord, '_id' | 'createdAt'>, now = new Date()): Promise<{ record: ServiceRecord; created: boolean }> {
    const record: ServiceRecord = { ...input, _id: `${input.tenantId}/${input.serviceId}`, createdAt: now };
    try {
      await this.collection.insertOne(record);
      return { record, created: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.get(input.tenantId, input.serviceId);
      if (!existing) throw error;
      return { record: existing, created: false };
    }
  }

  get(tenantId: string, serviceId: string): Promise<ServiceRecord | null> {
    return this.collection.findOne({ _id: `${tenantId}/${serviceId}` });
  }

  list(tenantId: string): Promise<ServiceRecord[]> {
    return this.collection.find({ tenantId }).sort({ serviceId: 1 }).toArray();
  }

  async storePendingBundle(tenantId: string, serviceId: string, serial: string, sealed: string, now = new Date()): Promise<void> {
    await this.collection.updateOne(
      { _id: `${tenantId}/${serviceId}` },
      { $set: { pendingBundle: { serial, sealed, createdAt: now } } },
    );
  }

  /** Hands the pending bundle over exactly once. */
  async takePendingBundle(tenantId: string, serviceId: string): Promise<ServiceRecord['pendingBundle']> {
    const before = await this.collection.findOneAndUpdate(
      { _id: `${tenantId}/${serviceId}`, pendingBundle: { $exists: true } },
      { $unset: { pendingBundle: '' } },
      { returnDocument: 'before' },
    );
    return before?.pendingBundle;
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return (await this.collection.deleteMany({ tenantId })).deletedCount;
  }
}
