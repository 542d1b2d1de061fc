import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { PlatformPki } from '../../../lib/pki/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../lib/runtime/platform.js';
import { DEFAULT_SERVICE_ID } from '../../../lib/services/repository.js';
import { TenantIdSearchAttribute, workflowIds } from '../../../workflows/contracts.js';
import { provisionTenant } from '../../../workflows/index.js';
import { openStackPlatform, stackTemporalClient, uniqueTenantId } from '../../support/platform.js';
import { WorkerProcess } from '../../support/worker-process.js';
import { countAuditRecords } from '../../support/audit-records.js';

let platform: Platform;
let client: Client;
let worker: WorkerProcess;

beforeAll(async () => {
  platform = await openStackPlatform();
  client = await stackTemporalClient();
  worker = new WorkerProcess(client, `provisioning-${randomUUID()}`);
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await platform?.close();
  await client?.connection.close();
});

function startProvisioning(tenantId: string, slaMs = 300_000) {
  return client.workflow.start(provisionTenant, {
    taskQueue: worker.taskQueue,
    workflowId: workflowIds.provision(tenantId),
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ tenantId, displayName: `Tenant ${tenantId}`, eventId: `evt-${tenantId}`, slaMs }],
    typedSearchAttributes: [{ key: TenantIdSearchAttribute, value: tenantId }],
  });
}

async function activeCertificates(tenantId: string) {
  return (await platform.pki()).listCertificates({ tenantId, serviceId: DEFAULT_SERVICE_ID, status: 'active' });
}

describe('tenant provisioning workflow (real Temporal, real worker, FerretDB)', () => {
  it('makes a tenant Ready with its certificate, administrator and notification; a duplicate start joins the same run', async () => {
    const tenantId = uniqueTenantId('prov');
    const [first, duplicate] = await Promise.all([startProvisioning(tenantId), startProvisioning(tenantId)]);
    expect(duplicate.firstExecutionRunId).toBe(first.firstExecutionRunId);

    const result = await first.result();
    expect(result).toMatchObject({ tenantId, status: 'ready', escalated: false });

    const tenant = await platform.tenants.get(tenantId);
    expect(tenant?.status).toBe('ready');
    expect(tenant?.readyAt).toBeInstanceOf(Date);
    expect(tenant?.l1.status).toBe('inactive');
    expect(await activeCertificates(tenantId)).toHaveLength(1);
    expect((await platform.services.get(tenantId, DEFAULT_SERVICE_ID))?.pendingBundle?.sealed).toMatch(/^v1\./);
    expect(await platform.users.peekInitialPassword(tenantId, 'admin')).toMatch(/^[\w-]{20,}$/);
    const notifications = await platform.notifications.list(tenantId);
    expect(notifications.map((n) => n.kind)).toEqual(['console-available']);

    const description = await first.describe();
    expect(description.typedSearchAttributes.get(TenantIdSearchAttribute)).toBe(tenantId);
  });

  it('escalates and marks the tenant Degraded when the SLA passes, then still becomes Ready', { timeout: 120_000 }, async () => {
    const tenantId = uniqueTenantId('sla');
    const handle = await startProvisioning(tenantId, 500);
    // Hold provisioning up past the SLA: no worker while the watchdog's timer runs out.
    await waitForHistory(handle.workflowId, (events) => events.some((e) => e.timerStartedEventAttributes));
    await worker.kill();
    await waitForHistory(handle.workflowId, (events) => events.some((e) => e.timerFiredEventAttributes));
    await worker.start();
    const result = await handle.result();
    expect(result.escalated).toBe(true);
    expect((await platform.tenants.get(tenantId))?.status).toBe('ready');
    const kinds = (await platform.notifications.list(tenantId)).map((n) => n.kind).sort();
    expect(kinds).toEqual(['console-available', 'escalation']);
    await platform.audit.flush();
    const escalations = await countAuditRecords(platform.store.db, { tenantId, operation: 'tenant.provision.escalated' });
    expect(escalations).toBe(1);
  });

  it('survives kill -9 of the worker mid-provisioning: completes with one CA, one certificate, one administrator', async () => {
    const tenantId = uniqueTenantId('crash');
    const rootBefore = (await platform.pki()).rootCertificatePem;
    const handle = await startProvisioning(tenantId);
    // Kill the worker while it is inside the certificate step, the one that must not run twice.
    await waitForHistory(handle.workflowId, (events) => events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'ensureDefaultServiceIdentity'));
    await worker.kill();
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await worker.start();

    expect(await handle.result()).toMatchObject({ status: 'ready' });
    expect(await activeCertificates(tenantId)).toHaveLength(1);
    const reopened = await PlatformPki.open(platform.store.db, platform.box);
    expect(reopened.rootCertificatePem).toBe(rootBefore);
    expect(await platform.store.db.collection('users').countDocuments({ tenantId })).toBe(1);
  }, 120_000);
});

async function waitForHistory(workflowId: string, done: (events: temporal.api.history.v1.IHistoryEvent[]) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    if (done(history.events ?? [])) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('workflow did not reach the expected point');
}
