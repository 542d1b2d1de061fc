import type { Collection, Db, Filter } from 'mongodb';
import { ObjectId } from 'mongodb';
import { isDuplicateKeyError } from '../../lib/store/mongo.js';
import { fromDocument, toDocument } from './document.js';
import type { KmipObjectDocument, ManagedObject } from './model.js';
import { KMIP_OBJECTS_COLLECTION } from './model.js';
import type { ObjectReadCache } from './read-cache.js';

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

/** A claim on the next revision of an object: only the writer whose insert wins may write it. */
interface RevisionClaim {
  _id: string;
  tenantId: string;
  at: Date;
}

/** One use counted against an object's Usage Limits. */
interface UsageEntry {
  _id: ObjectId;
  tenantId: string;
  uid: string;
  amount: number;
  at: Date;
  /** Recorded but not yet admitted (a use deciding whether it fits). */
  pending?: boolean;
}

/** Tries of a use that stepped back only because others were deciding at the same moment. */
const USAGE_ATTEMPTS = 6;

/**
 * What the server reads back: the attributes are the truth, so the typed copies and the Locate
 * keys (more than half of a document) stay in the store.
 */
const READ_PROJECTION = { _id: 1, tenantId: 1, owner: 1, objectType: 1, attributes: 1, material: 1, rev: 1 } as const;

export type ReadDocument = Pick<KmipObjectDocument, keyof typeof READ_PROJECTION>;

const readKey = (tenantId: string, uid: string): string => `${tenantId}\0${uid}`;

export interface ObjectRepositoryOptions {
  /** This worker's memory of recently read documents (read-cache.ts); none: every read goes to the store. */
  readonly cache?: ObjectReadCache<ReadDocument>;
  /**
   * After a change to an object is stored, before the write returns: make the node's other
   * workers forget it (the cluster fans this out and waits for every worker).
   */
  readonly onChange?: (tenantId: string, uid: string) => Promise<void>;
}

/** A revision claim this old, on an object still at the previous revision, belongs to a writer that died. */
const STALE_CLAIM_MS = 30_000;

/**
 * The `kmipObjects` collection. Every method that reads or writes an object takes the tenant
 * and puts it in the filter: another tenant's object is simply not there. The one exception,
 * `tenantOf`, exists only so a cross-tenant attempt can be audited as such; its answer never
 * reaches the client.
 *
 * Concurrency without transactions or atomic read-modify-write: FerretDB v1 (the embedded
 * store) does not make conditional updates atomic across connections — measured: twenty
 * concurrent `updateOne({rev: 0}, …)` calls can all "match". Inserts with a unique `_id` are
 * atomic everywhere, so every write that must not be lost is built on them:
 * - object changes first claim the next revision (`kmipObjectRevisions`, `_id` = uid@rev);
 * - usage limits are a ledger of inserted uses (`kmipUsage`) checked after the insert, so
 *   concurrent users can only ever under-use a limit, never exceed it.
 */
export class ObjectRepository {
  readonly collection: Collection<KmipObjectDocument>;
  private readonly revisions: Collection<RevisionClaim>;
  private readonly usage: Collection<UsageEntry>;
  /** Store reads in flight, by tenant and uid (see `get`). */
  private readonly inflight = new Map<string, Promise<ReadDocument | null>>();
  private readonly cache: ObjectReadCache<ReadDocument> | undefined;
  private readonly onChange: ((tenantId: string, uid: string) => Promise<void>) | undefined;

  constructor(db: Db, options: ObjectRepositoryOptions = {}) {
    this.cache = options.cache?.enabled ? options.cache : undefined;
    this.onChange = options.onChange;
    this.collection = db.collection<KmipObjectDocument>(KMIP_OBJECTS_COLLECTION);
    this.revisions = db.collection<RevisionClaim>('kmipObjectRevisions');
    this.usage = db.collection<UsageEntry>('kmipUsage');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ tenantId: 1, match: 1 }, { name: 'tenant_match' });
    await this.collection.createIndex({ tenantId: 1, createdAt: 1 }, { name: 'tenant_created' });
    await this.usage.createIndex({ tenantId: 1, uid: 1 }, { name: 'tenant_uid' });
  }

  async insert(o: ManagedObject, now = new Date()): Promise<void> {
    await this.collection.insertOne({ ...toDocument(o), createdAt: now });
    this.inflight.delete(readKey(o.tenantId, o.uid));
  }

  /**
   * The object as stored now. Concurrent reads of one object share a single store query that
   * is already in flight: many clients fetching the same key at once cost one read. What it
   * returns also refreshes the worker's read cache (see `cached`). Each caller gets its own
   * object built from the shared document. A write through this repository detaches the query
   * in flight, so a read that starts after a local write always sees it; a write on another
   * node can be missed only by a read that joined a query sent before that write finished (one
   * store round trip).
   */
  async get(tenantId: string, uid: string): Promise<ManagedObject | undefined> {
    const key = readKey(tenantId, uid);
    let read = this.inflight.get(key);
    if (!read) {
      const epoch = this.cache?.epoch ?? 0;
      const started = this.collection.findOne({ _id: uid, tenantId }, { projection: READ_PROJECTION }).then((doc) => {
        if (doc) this.cache?.fill(key, doc, epoch);
        return doc;
      });
      read = started.finally(() => {
        if (this.inflight.get(key) === read) this.inflight.delete(key);
      });
      this.inflight.set(key, read);
    }
    const doc = await read;
    return doc ? fromDocument(doc) : undefined;
  }

  /**
   * The object as this worker last read it, if that was recently enough (read-cache.ts), with
   * no store round trip; undefined when there is no such entry. Use it only for an answer
   * that would succeed with it, and read with `get` otherwise.
   */
  cached(tenantId: string, uid: string): ManagedObject | undefined {
    const doc = this.cache?.get(readKey(tenantId, uid));
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
  async replace(next: ManagedObject, now = new Date()): Promise<ManagedObject> {
    const claim = `${next.uid}@${next.rev + 1}`;
    try {
      await this.revisions.insertOne({ _id: claim, tenantId: next.tenantId, at: now });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await this.clearIfStale(claim, next, now);
      throw new ConcurrentModificationError('the object changed while this operation ran; retry');
    }
    const { _id: _unchanged, ...fields } = toDocument({ ...next, rev: next.rev + 1 });
    const result = await this.collection.updateOne({ _id: next.uid, tenantId: next.tenantId, rev: next.rev }, { $set: fields });
    // Reads sent before this write finished must not be joined by reads that start after it.
    const key = readKey(next.tenantId, next.uid);
    this.inflight.delete(key);
    this.cache?.forget(key);
    if (result.matchedCount !== 1) {
      await this.revisions.deleteOne({ _id: claim });
      throw new ConcurrentModificationError('the object changed while this operation ran; retry');
    }
    // The previous claim has done its job; keep the collection at about one claim per object.
    await this.revisions.deleteOne({ _id: `${next.uid}@${next.rev}` });
    await this.onChange?.(next.tenantId, next.uid);
    return { ...next, rev: next.rev + 1 };
  }

  /** A writer that claimed a revision and died would block the object forever: expire its claim. */
  private async clearIfStale(claim: string, read: ManagedObject, now: Date): Promise<void> {
    const c = await this.revisions.findOne({ _id: claim });
    if (!c || now.getTime() - c.at.getTime() < STALE_CLAIM_MS) return;
    const current = await this.collection.findOne({ _id: read.uid, tenantId: read.tenantId }, { projection: { rev: 1 } });
    if (current?.rev === read.rev) await this.revisions.deleteOne({ _id: claim, at: c.at });
  }

  /**
   * Counts `amount` against the object's usage limit; false (and nothing counted) when that
   * would exceed it. The use is recorded first (pending), then every recorded use read back:
   * of any set of concurrent uses, the last to record sees all the others, so admitting only
   * when the total fits never exceeds the limit. Concurrent uses can all see each other and all
   * step back; when the uses already admitted leave room, a refused use withdraws, waits a
   * random moment and tries again, so contention does not starve everyone.
   */
  async consumeUsage(tenantId: string, uid: string, amount: number, limit: number, now = new Date()): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const _id = new ObjectId();
      await this.usage.insertOne({ _id, tenantId, uid, amount, at: now, pending: true });
      let total = 0;
      let admitted = 0;
      for await (const u of this.usage.find({ tenantId, uid }, { projection: { amount: 1, pending: 1 } })) {
        total += u.amount;
        if (!u.pending) admitted += u.amount;
      }
      if (total <= limit) {
        await this.usage.updateOne({ _id }, { $unset: { pending: '' } });
        return true;
      }
      await this.usage.deleteOne({ _id });
      const contended = admitted + amount <= limit;
      if (!contended || attempt >= USAGE_ATTEMPTS) return false;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }

  async usageOf(tenantId: string, uid: string): Promise<number> {
    let used = 0;
    for await (const u of this.usage.find({ tenantId, uid }, { projection: { amount: 1 } })) used += u.amount;
    return used;
  }

  /** Candidates for Locate in creation order; the caller applies the remaining criteria. */
  async *locate(tenantId: string, q: LocateQuery): AsyncGenerator<ManagedObject> {
    const filter: Filter<KmipObjectDocument> = { tenantId };
    if (q.match.length > 0) filter.match = { $all: [...q.match] };
    if (q.objectType !== undefined) filter.objectType = q.objectType;
    if (q.uid !== undefined) filter._id = q.uid;
    if (q.excludeDestroyed) filter['material.kind'] = { $ne: 'destroyed' };
    const cursor = this.collection.find(filter, { projection: READ_PROJECTION }).sort({ createdAt: 1, _id: 1 });
    try {
      for await (const doc of cursor) yield fromDocument(doc);
    } finally {
      await cursor.close();
    }
  }

  /** Another worker of the node changed this object: drop what this one holds of it. */
  forget(tenantId: string, uid: string): void {
    const key = readKey(tenantId, uid);
    this.inflight.delete(key);
    this.cache?.forget(key);
  }

  /** The tenant was invalidated (L1 state changed, offboarded): drop all of its objects. */
  forgetTenant(tenantId: string): void {
    this.inflight.clear();
    this.cache?.forgetPrefix(readKey(tenantId, ''));
  }

  async deleteTenant(tenantId: string): Promise<number> {
    this.forgetTenant(tenantId);
    await this.usage.deleteMany({ tenantId });
    await this.revisions.deleteMany({ tenantId });
    return (await this.collection.deleteMany({ tenantId })).deletedCount;
  }
}
