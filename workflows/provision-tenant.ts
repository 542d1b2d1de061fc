import { condition, defineQuery, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ProvisionTenantInput, ProvisionTenantResult } from './contracts.js';
import { delivery, platform } from './activity-options.js';

export const provisioningStepQuery = defineQuery<string>('provisioningStep');

const system = { kind: 'system', id: 'provisioning' } as const;

/**
 * Platform Mesh created a tenant: make OpenKCM ready for it. Every step is idempotent, so a
 * worker killed anywhere resumes without a second CA, certificate or administrator. If the
 * tenant is not Ready within the SLA, a watchdog escalates and marks it Degraded; provisioning
 * goes on and clears the Degraded state when it completes.
 */
export async function provisionTenant(input: ProvisionTenantInput): Promise<ProvisionTenantResult> {
  const { tenantId } = input;
  const startedAt = workflowInfo().startTime.getTime();
  let step = 'starting';
  let ready = false;
  let escalated = false;
  setHandler(provisioningStepQuery, () => step);

  const watchdog = (async () => {
    if (await condition(() => ready, input.slaMs)) return;
    escalated = true;
    const reason = `not ready within ${Math.round(input.slaMs / 1000)} s (stuck at step "${step}")`;
    await platform.setTenantStatus({ tenantId, status: 'degraded', reason });
    await platform.recordNotification({
      tenantId,
      kind: 'escalation',
      title: 'OpenKCM provisioning is late',
      message: `Provisioning of tenant ${tenantId} is ${reason}. Operations has been alerted.`,
      dedupeKey: `provision-escalation:${tenantId}:${input.eventId}`,
    });
    await platform.recordAudit({ tenantId, actor: system, operation: 'tenant.provision.escalated', result: 'failure', reason });
  })();

  step = 'tenant record';
  await platform.createTenantRecord({ tenantId, displayName: input.displayName });
  step = 'platform PKI';
  await platform.ensurePlatformPki();
  step = 'MongoDB service identity';
  const service = await platform.ensureDefaultServiceIdentity({ tenantId });
  step = 'tenant administrator';
  await platform.ensureTenantAdmin({ tenantId });
  step = 'crypto service registration';
  await platform.invalidateKmipCaches({ tenantId });
  step = 'notification';
  const { notificationId } = await platform.recordNotification({
    tenantId,
    kind: 'console-available',
    title: 'OpenKCM is ready',
    message: `The CMK console for tenant ${tenantId} is available. Configure your L1 customer master key to start encrypting.`,
    dedupeKey: `console-available:${tenantId}`,
  });

  ready = true;
  await watchdog;
  step = 'ready';
  await platform.setTenantStatus({ tenantId, status: 'ready' });
  const durationMs = Date.now() - startedAt;
  await platform.recordAudit({
    tenantId,
    actor: system,
    operation: 'tenant.provision',
    result: 'success',
    details: { eventId: input.eventId, durationMs, defaultService: service.serviceId, escalated },
  });
  step = 'delivering notification';
  await delivery.deliverNotification({ notificationId });
  step = 'done';
  return { tenantId, status: 'ready', durationMs, escalated };
}
