import type { Collection, Db, Filter } from 'mongodb';
import { fromDocument, toDocument } from './document.js';
import type { KmipObjectDocument, ManagedObject } from './model.js';
import { KMIP_OBJECTS_COLLECTION } from './model.js';

/** A write lost a race with another writer (another worker or node changed the object first). */
export class ConcurrentModificationError extends Error {
  override readonly name = 'ConcurrentModificationError';
}

export interface LocateQuery {
  /** Equality keys (see matchKey) every result must carry. */
  readonly match: readonly string[];
  readonly objectType?: number;
  readonly uid?: string;
  /** Leave out destroyed objects (Locate does unless the caller asks about State). */
  readonly excludeDestroyed: boolean;
}

/**
 * The `kmipObjects` collection. Every method that reads or writes an object takes the tenant
 * and puts it in the filter: another tenant's object is simply not there. The one exception,
 * `tenantOf`, exists only so a cross-tenant attempt can be audited as such; its answer never
 * reaches the client.
 */
export class ObjectRepository {
  readonly collection: Collection<KmipObjectDocument>;

  constructor(db: Db) {
    this.collection = db.collection<KmipObjectDocument>(KMIP_OBJECTS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ tenantId: 1, match: 1 }, { name: 'tenant_match' });
    await this.collection.createIndex({ tenantId: 1, 'dates.initial': 1 }, { name: 'tenant_initial' });
  }

  async insert(o: ManagedObject): Promise<void> {
    await this.collection.insertOne(toDocument(o));
  }

  async get(tenantId: string, uid: string): Promise<ManagedObject | undefined> {
    const doc = await this.collection.findOne({ _id: uid, tenantId });
    return doc ? fromDocument(doc) : undefined;
  }

  /** Which tenant owns `uid`, if any — for the audit trail only, never for a response. */
  async tenantOf(uid: string): Promise<string | undefined> {
    const doc = await this.collection.findOne({ _id: uid }, { projection: { tenantId: 1 } });
    return doc?.tenantId;
  }

  /**
   * Writes `next` in place of the revision that was read. Throws ConcurrentModificationError
   * when someone else wrote in between, so no update is ever lost across workers and nodes.
   */
  async replace(next: ManagedObject): Promise<ManagedObject> {
    const doc = toDocument({ ...next, rev: next.rev + 1 });
    // usageUsed is only ever moved by consumeUsage's atomic $inc; do not overwrite it.
    const { usageUsed: _usage, ...fields } = doc;
    const result = await this.collection.updateOne({ _id: next.uid, tenantId: next.tenantId, rev: next.rev }, { $set: fields });
    if (result.matchedCount !== 1) throw new ConcurrentModificationError('the object changed while this operation ran; retry');
    return { ...next, rev: next.rev + 1 };
  }

  /**
   * Atomically counts `amount` against the object's usage limit; false when the limit would be
   * exceeded. One conditional $inc, so concurrent users on several nodes never overshoot.
   */
  async consumeUsage(tenantId: string, uid: string, amount: number, limit: number): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: uid, tenantId, usageUsed: { $lte: limit - amount } },
      { $inc: { usageUsed: amount } },
    );
    return result.modifiedCount === 1;
  }

  /** Candidates for Locate in creation order; the caller applies the remaining criteria. */
  async *locate(tenantId: string, q: LocateQuery): AsyncGenerator<ManagedObject> {
    const filter: Filter<KmipObjectDocument> = { tenantId };
    if (q.match.length > 0) filter.match = { $all: [...q.match] };
    if (q.objectType !== undefined) filter.objectType = q.objectType;
    if (q.uid !== undefined) filter._id = q.uid;
    if (q.excludeDestroyed) filter['material.kind'] = { $ne: 'destroyed' };
    const cursor = this.collection.find(filter).sort({ 'dates.initial': 1, _id: 1 });
    try {
      for await (const doc of cursor) yield fromDocument(doc);
    } finally {
      await cursor.close();
    }
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return (await this.collection.deleteMany({ tenantId })).deletedCount;
  }
}
