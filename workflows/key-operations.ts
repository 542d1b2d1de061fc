import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type {
  OffboardTenantInput,
  OffboardTenantResult,
  RevokeL1Input,
  RotateL2Input,
  RotateL2Result,
  TestL1Input,
  TestL1Result,
} from './contracts.js';
import { signals, workflowIds } from './contracts.js';
import { keystore, platform } from './activity-options.js';

/**
 * Runs the connection diagnostics, recording each step under the test id as it completes (the
 * console polls them); the synchronous API route waits for the result. Changes only the
 * configuration's test records.
 */
export async function testL1Connection(input: TestL1Input): Promise<TestL1Result> {
  const { tenantId, configId, testId } = input;
  const result = await keystore.runL1Diagnostics({ tenantId, configId, ...(testId ? { testId } : {}) });
  await platform.recordAudit({
    tenantId: input.tenantId,
    actor: input.actor,
    operation: 'l1.test',
    result: result.ok ? 'success' : 'failure',
    ...(result.failedStep ? { reason: `failed at ${result.failedStep}` } : {}),
    details: { configId: input.configId },
  });
  return result;
}

/** Adds an L2 version; new objects derive from it, old versions keep decrypting. */
export async function rotateL2(input: RotateL2Input): Promise<RotateL2Result> {
  const { tenantId } = input;
  const { l2Version } = await keystore.createNextL2Version({ tenantId });
  await platform.setL1State({ tenantId, status: 'active', currentL2Version: l2Version });
  const { nodes } = await platform.invalidateKmipCaches({ tenantId });
  await platform.recordAudit({ tenantId, actor: input.actor, operation: 'l2.rotate', result: 'success', l2Version });
  await platform.recordNotification({
    tenantId,
    kind: 'l2-rotated',
    title: 'Tenant key rotated',
    message: `Tenant key version ${l2Version} is now used for new keys; earlier versions still decrypt.`,
    dedupeKey: `l2-rotated:${tenantId}:${l2Version}`,
  });
  return { l2Version, nodesInvalidated: nodes };
}

/** The kill switch: every KMIP node refuses the tenant once this returns. */
export async function revokeL1(input: RevokeL1Input): Promise<{ nodesInvalidated: number }> {
  const { tenantId } = input;
  await platform.setL1State({ tenantId, status: 'revoked', reason: input.reason });
  const { nodes } = await platform.invalidateKmipCaches({ tenantId });
  await stopHealth(tenantId);
  await platform.recordAudit({ tenantId, actor: input.actor, operation: 'l1.revoke', result: 'success', reason: input.reason });
  await platform.recordNotification({
    tenantId,
    kind: 'l1-revoked',
    title: 'L1 key revoked',
    message: `Key access for tenant ${tenantId} was revoked: ${input.reason}. MongoDB key requests are refused.`,
    dedupeKey: `l1-revoked:${tenantId}:${Date.now()}`,
  });
  return { nodesInvalidated: nodes };
}

/** Platform Mesh deleted the tenant: revoke its certificates and crypto-shred its keys. */
export async function offboardTenant(input: OffboardTenantInput): Promise<OffboardTenantResult> {
  const { tenantId } = input;
  await platform.setTenantStatus({ tenantId, status: 'offboarding' });
  await platform.setL1State({ tenantId, status: 'revoked', reason: 'tenant deleted' });
  await platform.invalidateKmipCaches({ tenantId });
  await stopHealth(tenantId);
  const { revoked } = await platform.revokeTenantCertificates({ tenantId });
  const { shredded } = await keystore.shredTenantKeys({ tenantId });
  await platform.deleteTenantData({ tenantId });
  await platform.setTenantStatus({ tenantId, status: 'offboarded' });
  await platform.recordAudit({
    tenantId,
    actor: input.actor,
    operation: 'tenant.offboard',
    result: 'success',
    details: { eventId: input.eventId, certificatesRevoked: revoked, keyVersionsShredded: shredded },
  });
  return { certificatesRevoked: revoked, keyVersionsShredded: shredded };
}

async function stopHealth(tenantId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowIds.health(tenantId)).signal(signals.stopHealth);
  } catch {
    // No health workflow running: nothing to stop.
  }
}
