import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';

/** The identity a MongoDB service presents to the KMIP server (its certificates live in lib/pki). */
export function spiffeId(tenantId: string, serviceId: string): string {
  return `spiffe://openkcm/tenant/${tenantId}/service/${serviceId}`;
}

/** Every tenant gets this service at provisioning: the MongoDB deployment itself. */
export const DEFAULT_SERVICE_ID = 'mongodb';

export interface ServiceRecord {
  _id: string;
  tenantId: string;
  serviceId: string;
  description?: string;
  createdAt: Date;
  createdBy: string;
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

  async deleteTenant(tenantId: string): Promise<number> {
    return (await this.collection.deleteMany({ tenantId })).deletedCount;
  }
}
