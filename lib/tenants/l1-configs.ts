import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { DiagnosticResult, DiagnosticStep, KeystoreKind } from '../keystores/types.js';

/**
 * A tenant's L1 keystore configuration. Settings are the non-secret part (key ARN, vault URL,
 * module path, endpoint); secrets (access keys, client secrets, PINs, client keys) are stored
 * only sealed under the platform key, bound to tenant and config id, and are never returned.
 */
export interface L1ConfigRecord {
  _id: string;
  tenantId: string;
  kind: KeystoreKind;
  label: string;
  settings: Record<string, unknown>;
  sealedSecrets: string;
  /** Which secrets were given (names only), so listing never opens the sealed secrets. */
  secretNames?: string[];
  createdAt: Date;
  createdBy: string;
  lastTest?: { at: Date; ok: boolean; failedStep?: DiagnosticStep; steps: DiagnosticResult[] };
  /** The steps of the latest connection test so far, written while it runs (the console polls them). */
  liveTest?: L1TestProgress;
  state: 'draft' | 'active' | 'retired';
}

export interface L1TestProgress {
  /** The nonce of the test workflow's id (workflowIds.testL1). */
  testId: string;
  startedAt: Date;
  steps: DiagnosticResult[];
}

/** Associated data that binds sealed keystore secrets to their tenant and configuration. */
export function l1SecretsAad(tenantId: string, configId: string): string {
  return `l1-config:${tenantId}:${configId}`;
}

export class L1ConfigRepository {
  readonly collection: Collection<L1ConfigRecord>;

  constructor(db: Db) {
    this.collection = db.collection<L1ConfigRecord>('l1Configs');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ tenantId: 1, createdAt: -1 });
  }

  newId(): string {
    return randomUUID();
  }

  async insert(record: L1ConfigRecord): Promise<void> {
    await this.collection.insertOne(record);
  }

  /** Tenant-scoped read: another tenant's configuration is indistinguishable from a missing one. */
  get(tenantId: string, configId: string): Promise<L1ConfigRecord | null> {
    return this.collection.findOne({ _id: configId, tenantId });
  }

  list(tenantId: string): Promise<L1ConfigRecord[]> {
    return this.collection.find({ tenantId }).sort({ createdAt: -1 }).toArray();
  }

  async recordTest(tenantId: string, configId: string, test: NonNullable<L1ConfigRecord['lastTest']>): Promise<void> {
    await this.collection.updateOne({ _id: configId, tenantId }, { $set: { lastTest: test } });
  }

  /**
   * Replaces the configuration's live test with `progress` (the steps so far). One live test
   * per configuration: a newer test overwrites an older one, and readers match on `testId`.
   */
  async recordTestProgress(tenantId: string, configId: string, progress: L1TestProgress): Promise<void> {
    await this.collection.updateOne({ _id: configId, tenantId }, { $set: { liveTest: progress } });
  }

  /**
   * Deletes a configuration that is not active (a draft or a retired one). False when there is
   * no such configuration of this tenant, or it is active: the filter refuses that atomically,
   * even if an activation completes between the caller's check and this call.
   */
  async deleteInactive(tenantId: string, configId: string): Promise<boolean> {
    return (await this.collection.deleteOne({ _id: configId, tenantId, state: { $ne: 'active' } })).deletedCount === 1;
  }

  /** Marks one configuration active and retires the tenant's others. */
  async markActive(tenantId: string, configId: string): Promise<void> {
    await this.collection.updateMany({ tenantId, _id: { $ne: configId }, state: 'active' }, { $set: { state: 'retired' } });
    await this.collection.updateOne({ _id: configId, tenantId }, { $set: { state: 'active' } });
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return (await this.collection.deleteMany({ tenantId })).deletedCount;
  }
}
