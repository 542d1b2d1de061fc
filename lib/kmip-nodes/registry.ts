import type { Collection, Db } from 'mongodb';

/**
 * KMIP nodes announce themselves here with a heartbeat, so workflows can reach every live
 * node when a tenant's keys change (activation, rotation, revocation).
 */
export interface KmipNodeRecord {
  _id: string;
  adminUrl: string;
  hostname: string;
  pid: number;
  startedAt: Date;
  heartbeatAt: Date;
}

export class KmipNodeRegistry {
  readonly collection: Collection<KmipNodeRecord>;

  constructor(db: Db) {
    this.collection = db.collection<KmipNodeRecord>('kmipNodes');
  }

  async heartbeat(node: Omit<KmipNodeRecord, 'heartbeatAt'>, now = new Date()): Promise<void> {
    const { _id, ...fields } = node;
    await this.collection.updateOne({ _id }, { $set: { ...fields, heartbeatAt: now } }, { upsert: true });
  }

  /** Nodes whose last heartbeat is recent enough to expect an answer from. */
  live(maxAgeMs: number, now = Date.now()): Promise<KmipNodeRecord[]> {
    return this.collection.find({ heartbeatAt: { $gte: new Date(now - maxAgeMs) } }).toArray();
  }

  async remove(nodeId: string): Promise<void> {
    await this.collection.deleteOne({ _id: nodeId });
  }
}
