import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../lib/runtime/platform.js';
import type { L1Status } from '../../../lib/tenants/model.js';
import { TenantIdSearchAttribute, workflowIds, type Actor } from '../../../workflows/contracts.js';
import { activateL1, offboardTenant, provisionTenant, revokeL1, rotateL2, testL1Connection } from '../../../workflows/index.js';
import { createKmsKey, storeAwsKmsConfig } from '../../support/l1-configs.js';
import { openStackPlatform, stackTemporalClient, uniqueTenantId } from '../../support/platform.js';
import { WorkerProcess } from '../../support/worker-process.js';

let platform: Platform;
let client: Client;
let worker: WorkerProcess;
const admin: Actor = { kind: 'user', id: 'admin' };

beforeAll(async () => {
  platform = await openStackPlatform();
  client = await stackTemporalClient();
  worker = new WorkerProcess(client, `l1-${randomUUID()}`);
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await platform?.close();
  await client?.connection.close();
});

const options = (workflowId: string, tenantId: string) => ({
  taskQueue: worker.taskQueue,
  workflowId,
  typedSearchAttributes: [{ key: TenantIdSearchAttribute, value: tenantId }],
});

async function provisionedTenant(prefix: string): Promise<string> {
  const tenantId = uniqueTenantId(prefix);
  await client.workflow.execute(provisionTenant, {
    ...options(workflowIds.provision(tenantId), tenantId),
    args: [{ tenantId, displayName: tenantId, eventId: `evt-${tenantId}`, slaMs: 300_000 }],
  });
  return tenantId;
}

function activate(tenantId: string, configId: string) {
  return client.workflow.execute(activateL1, {
    ...options(workflowIds.activateL1(tenantId), tenantId),
    args: [{ tenantId, configId, actor: admin, slaMs: 120_000, healthIntervalMs: 300 }],
  });
}

async function waitForL1Status(tenantId: string, status: L1Status, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await platform.tenants.get(tenantId))?.l1.status === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tenant ${tenantId} did not reach L1 status ${status}; it is ${(await platform.tenants.get(tenantId))?.l1.status}`);
}

describe('L1 key lifecycle workflows (real Temporal, worker, FerretDB, local-kms)', () => {
  it('tests the connection step by step without changing anything', async () => {
    const tenantId = await provisionedTenant('test');
    const key = await createKmsKey();
    const configId = await storeAwsKmsConfig(platform, tenantId, key.arn);
    const testId = randomUUID();
    const result = await client.workflow.execute(testL1Connection, {
      ...options(workflowIds.testL1(tenantId, configId, testId), tenantId),
      args: [{ tenantId, configId, actor: admin, testId }],
    });
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual(['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip']);
    expect(result.steps.every((s) => s.status === 'passed')).toBe(true);
    const stored = await platform.l1Configs.get(tenantId, configId);
    expect(stored?.lastTest?.ok).toBe(true);
    // Every step was also recorded under the test id as it completed.
    expect(stored?.liveTest).toMatchObject({ testId, steps: result.steps });
    expect((await platform.tenants.get(tenantId))?.l1.status).toBe('inactive');
  });

  it('activates: L2 generated, stored only wrapped by L1, status Active; rotation adds a version; revocation is the kill switch', async () => {
    const tenantId = await provisionedTenant('act');
    const key = await createKmsKey();
    const configId = await storeAwsKmsConfig(platform, tenantId, key.arn);

    const result = await activate(tenantId, configId);
    expect(result).toMatchObject({ ok: true, status: 'active', l2Version: 1 });
    const tenant = await platform.tenants.get(tenantId);
    expect(tenant?.l1).toMatchObject({ status: 'active', configId, currentL2Version: 1 });
    const [stored] = await platform.wrappedKeys.list(tenantId);
    expect(stored?.l1).toMatchObject({ configId, keyId: key.arn });
    expect(stored?.wrapped.length).toBeGreaterThan(32); // a KMS ciphertext blob, never the 32 raw bytes
    expect((await platform.l1Configs.get(tenantId, configId))?.state).toBe('active');

    const rotated = await client.workflow.execute(rotateL2, { ...options(workflowIds.rotateL2(tenantId), tenantId), args: [{ tenantId, actor: admin }] });
    expect(rotated.l2Version).toBe(2);
    expect((await platform.wrappedKeys.list(tenantId)).map((r) => r.version)).toEqual([1, 2]);
    expect((await platform.tenants.get(tenantId))?.l1.currentL2Version).toBe(2);

    await client.workflow.execute(revokeL1, { ...options(workflowIds.revokeL1(tenantId), tenantId), args: [{ tenantId, actor: admin, reason: 'incident 42' }] });
    expect((await platform.tenants.get(tenantId))?.l1).toMatchObject({ status: 'revoked', reason: 'incident 42', currentL2Version: 2 });
  });

  it('a disabled KMS key fails activation at the "enabled" step; enabling it lets the health check bring the key to Active', async () => {
    const tenantId = await provisionedTenant('dis');
    const key = await createKmsKey();
    await key.disable();
    const configId = await storeAwsKmsConfig(platform, tenantId, key.arn);

    const result = await activate(tenantId, configId);
    expect(result).toMatchObject({ ok: false, status: 'error', failedStep: 'enabled' });
    expect(result.reason).toMatch(/enabled/);
    const tenant = await platform.tenants.get(tenantId);
    expect(tenant?.l1.status).toBe('error');
    expect(tenant?.l1.reason).toMatch(/disabled/i);
    expect(await platform.wrappedKeys.list(tenantId)).toHaveLength(0);

    await key.enable();
    await waitForL1Status(tenantId, 'active');
    expect((await platform.tenants.get(tenantId))?.l1.currentL2Version).toBe(1);
  }, 90_000);

  it('health flips Active → Error when the customer disables the key, and back when it is enabled', async () => {
    const tenantId = await provisionedTenant('hlt');
    const key = await createKmsKey();
    const configId = await storeAwsKmsConfig(platform, tenantId, key.arn);
    expect((await activate(tenantId, configId)).ok).toBe(true);

    await key.disable();
    await waitForL1Status(tenantId, 'error');
    expect((await platform.tenants.get(tenantId))?.l1.reason).toMatch(/disabled/i);
    await key.enable();
    await waitForL1Status(tenantId, 'active');
  }, 90_000);

  it('survives kill -9 of the worker mid-activation without a second tenant key', async () => {
    const tenantId = await provisionedTenant('kill');
    const key = await createKmsKey();
    const configId = await storeAwsKmsConfig(platform, tenantId, key.arn);
    const handle = await client.workflow.start(activateL1, {
      ...options(workflowIds.activateL1(tenantId), tenantId),
      args: [{ tenantId, configId, actor: admin, slaMs: 120_000, healthIntervalMs: 5_000 }],
    });
    await waitUntil(async () => {
      const history = await handle.fetchHistory();
      return (history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'prepareTenantKey');
    });
    await worker.kill();
    await worker.start();
    expect(await handle.result()).toMatchObject({ ok: true, l2Version: 1 });
    expect(await platform.wrappedKeys.list(tenantId)).toHaveLength(1);
  }, 120_000);

  it('offboarding revokes every certificate and crypto-shreds the tenant keys', async () => {
    const tenantId = await provisionedTenant('off');
    const key = await createKmsKey();
    const configId = await storeAwsKmsConfig(platform, tenantId, key.arn);
    expect((await activate(tenantId, configId)).ok).toBe(true);

    const result = await client.workflow.execute(offboardTenant, {
      ...options(workflowIds.offboard(tenantId), tenantId),
      args: [{ tenantId, eventId: `evt-del-${tenantId}`, actor: { kind: 'platform', id: 'platform-mesh' } }],
    });
    expect(result).toEqual({ certificatesRevoked: 1, keyVersionsShredded: 1 });
    expect(await platform.wrappedKeys.list(tenantId)).toHaveLength(0);
    expect(await (await platform.pki()).listCertificates({ tenantId, status: 'active' })).toHaveLength(0);
    expect(await platform.l1Configs.list(tenantId)).toHaveLength(0);
    expect((await platform.tenants.get(tenantId))?.status).toBe('offboarded');
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}
