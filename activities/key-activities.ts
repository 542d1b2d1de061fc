import { log } from '@temporalio/activity';
import { zeroize } from '../lib/crypto/zero.js';
import { l2WrapContext } from '../lib/keys/hierarchy.js';
import { createL2Version, rewrapL2Versions } from '../lib/keys/lifecycle.js';
import type { L1Reference } from '../lib/keys/repository.js';
import { KeystoreError, type L1Connector } from '../lib/keystores/types.js';
import type { TenantRecord } from '../lib/tenants/model.js';
import type { ActivityDependencies } from './dependencies.js';
import { permanentFailure, withKeystoreFailures } from './failures.js';
import { TestProgressRecorder } from './test-progress.js';
import type { HealthCheckResult, KeyActivities } from './types.js';

export function createKeyActivities(deps: ActivityDependencies): KeyActivities {
  const requireTenant = async (tenantId: string): Promise<TenantRecord> => {
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) throw permanentFailure(`tenant ${tenantId} does not exist`, 'UnknownTenant');
    return tenant;
  };

  const l1Reference = async (configId: string, connector: L1Connector): Promise<L1Reference> => {
    const key = await connector.describe();
    return { configId, keyId: key.keyId, ...(key.version ? { keyVersion: key.version } : {}) };
  };

  return {
    async runL1Diagnostics({ tenantId, configId, testId }) {
      if (!(await deps.l1Configs.get(tenantId, configId))) {
        throw permanentFailure(`L1 configuration ${configId} does not exist`, 'UnknownL1Config');
      }
      // With a test id, every step lands in the store as it completes, for the console to poll.
      const startedAt = new Date();
      const progress = testId
        ? new TestProgressRecorder((steps) => deps.l1Configs.recordTestProgress(tenantId, configId, { testId, startedAt, steps }), progressLost)
        : undefined;
      progress?.start();
      try {
        // A fresh connector, so the test proves what a new KMIP node would see (login, TLS, credentials).
        const connector = await withKeystoreFailures(() => deps.buildConnector(tenantId, configId));
        try {
          const diagnostics = await connector.testConnection(progress ? { onStep: (step) => progress.add(step) } : {});
          const result = {
            ok: diagnostics.ok,
            steps: diagnostics.steps,
            ...(diagnostics.failedStep ? { failedStep: diagnostics.failedStep } : {}),
          };
          await progress?.settled();
          await deps.l1Configs.recordTest(tenantId, configId, { at: new Date(), ...result });
          return result;
        } finally {
          await connector.close();
        }
      } finally {
        await progress?.settled();
      }
    },

    async getL1State({ tenantId }) {
      const { status, configId, currentL2Version } = (await requireTenant(tenantId)).l1;
      return dropUndefined({ status, configId, currentL2Version });
    },

    async beginActivation({ tenantId, configId }) {
      const tenant = await requireTenant(tenantId);
      const previousStatus = tenant.l1.status;
      if (previousStatus !== 'active') {
        const { changedAt: _changedAt, reason: _reason, ...kept } = tenant.l1;
        await deps.tenants.setL1State(tenantId, { ...kept, status: 'activating', configId });
      }
      return { previousStatus };
    },

    async setL1State({ tenantId, status, reason, configId, currentL2Version }) {
      const tenant = await requireTenant(tenantId);
      const next = {
        status,
        configId: configId ?? tenant.l1.configId,
        currentL2Version: currentL2Version ?? tenant.l1.currentL2Version,
        checkedAt: new Date(),
        ...(reason !== undefined ? { reason } : {}),
      };
      await deps.tenants.setL1State(tenantId, dropUndefined(next));
      if (status === 'active' && next.configId) await deps.l1Configs.markActive(tenantId, next.configId);
    },

    async prepareTenantKey({ tenantId, configId }) {
      return withKeystoreFailures(async () => {
        const tenant = await requireTenant(tenantId);
        const connector = await deps.connectors.forConfig(tenantId, configId);
        const toRef = await l1Reference(configId, connector);
        const versions = await deps.wrappedKeys.list(tenantId);
        if (versions.length === 0) {
          const { created } = await createL2Version({ repository: deps.wrappedKeys, connector, tenantId, version: 1, l1: toRef });
          return { l2Version: 1, created, rewrapped: 0 };
        }
        // The customer switched L1 keys: every version moves under the new L1, unchanged.
        let rewrapped = 0;
        for (const fromConfigId of new Set(versions.map((v) => v.l1.configId))) {
          if (fromConfigId === configId) continue;
          const from = await deps.connectors.forConfig(tenantId, fromConfigId);
          rewrapped += (await rewrapL2Versions({ repository: deps.wrappedKeys, from, to: connector, tenantId, toRef })).rewrapped;
        }
        const l2Version = tenant.l1.currentL2Version ?? Math.max(...versions.map((v) => v.version));
        await proveUnwrap(deps, connector, tenantId, l2Version);
        return { l2Version, created: false, rewrapped };
      });
    },

    async createNextL2Version({ tenantId }) {
      return withKeystoreFailures(async () => {
        const tenant = await requireTenant(tenantId);
        const { configId, currentL2Version } = tenant.l1;
        if (tenant.l1.status !== 'active' || !configId || currentL2Version === undefined) {
          throw permanentFailure('the L1 key must be Active to rotate the tenant key');
        }
        // The target is derived from the stored current version, so a retried attempt targets the same version.
        const version = currentL2Version + 1;
        const connector = await deps.connectors.forConfig(tenantId, configId);
        await createL2Version({ repository: deps.wrappedKeys, connector, tenantId, version, l1: await l1Reference(configId, connector) });
        return { l2Version: version };
      });
    },

    async checkL1Health({ tenantId }): Promise<HealthCheckResult> {
      const tenant = await requireTenant(tenantId);
      const { status, configId, currentL2Version } = tenant.l1;
      if ((status !== 'active' && status !== 'error') || !configId) return { status, healthy: status !== 'error' };
      if (currentL2Version === undefined) {
        // Activation failed before the tenant key existed: the full connection test says whether it can finish now.
        const connector = await withKeystoreFailures(() => deps.buildConnector(tenantId, configId));
        try {
          const diagnostics = await connector.testConnection();
          if (diagnostics.ok) return { status, healthy: true };
          const failed = diagnostics.steps.find((s) => s.status === 'failed');
          return { status, healthy: false, reason: failed?.message ?? 'connection test failed', failureKind: diagnostics.retryable ? 'transient' : 'permanent' };
        } finally {
          await connector.close();
        }
      }
      try {
        const connector = await deps.connectors.forConfig(tenantId, configId);
        const key = await connector.describe();
        if (key.state !== 'enabled') {
          await deps.connectors.evictTenant(tenantId);
          return { status, healthy: false, reason: `the L1 key is ${key.state} in its keystore`, failureKind: 'permanent' };
        }
        await proveUnwrap(deps, connector, tenantId, currentL2Version);
        await deps.tenants.touchL1Check(tenantId);
        return { status, healthy: true };
      } catch (error) {
        // Rebuild the connector next time: sessions or credentials may have gone stale.
        await deps.connectors.evictTenant(tenantId);
        if (error instanceof KeystoreError) {
          return { status, healthy: false, reason: error.message, failureKind: error.retryable ? 'transient' : 'permanent' };
        }
        throw error;
      }
    },

    async shredTenantKeys({ tenantId }) {
      return { shredded: await deps.wrappedKeys.deleteTenant(tenantId) };
    },
  };
}

/** Proves the L1 can unwrap a stored tenant key version right now; the result is zeroed at once. */
async function proveUnwrap(deps: ActivityDependencies, connector: L1Connector, tenantId: string, version: number): Promise<void> {
  const record = await deps.wrappedKeys.get(tenantId, version);
  if (!record) throw permanentFailure(`tenant key version ${version} does not exist`);
  zeroize(await connector.unwrap(record.wrapped, l2WrapContext(tenantId, version)));
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Only the live view loses a step: the result is still returned and recorded as the last test. */
function progressLost(error: unknown): void {
  log.warn('could not record connection test progress', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
