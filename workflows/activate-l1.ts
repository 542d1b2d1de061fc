import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  condition,
  defineQuery,
  getExternalWorkflowHandle,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivateL1Input, ActivateL1Result } from './contracts.js';
import { TenantIdSearchAttribute, signals, workflowIds } from './contracts.js';
import { keystore, platform } from './activity-options.js';
import { failureReason, isActivityFailure } from './failures.js';
import { l1Health } from './l1-health.js';

export const activationStepQuery = defineQuery<string>('activationStep');

/**
 * "Save & activate": test the L1 connection, generate and wrap the tenant key (or re-wrap the
 * existing versions when the customer switched L1 keys), mark the key Active, and return only
 * after every KMIP node has dropped its cached keys — so "Active" in the console means active
 * everywhere. A failing test leaves a previously Active key untouched.
 */
export async function activateL1(input: ActivateL1Input): Promise<ActivateL1Result> {
  const { tenantId, configId, actor } = input;
  const startedAt = workflowInfo().startTime.getTime();
  let step = 'starting';
  let finished = false;
  setHandler(activationStepQuery, () => step);

  const watchdog = (async () => {
    if (await condition(() => finished, input.slaMs)) return;
    await platform.recordNotification({
      tenantId,
      kind: 'escalation',
      title: 'L1 activation is late',
      message: `Activation of the L1 key did not complete within ${Math.round(input.slaMs / 1000)} s (at step "${step}"). Operations has been alerted.`,
      dedupeKey: `activation-escalation:${workflowInfo().runId}`,
    });
  })();

  const finish = async (result: Omit<ActivateL1Result, 'durationMs'>): Promise<ActivateL1Result> => {
    finished = true;
    await watchdog;
    step = 'done';
    return { ...result, durationMs: Date.now() - startedAt };
  };

  const fail = async (reason: string, failedStep: ActivateL1Result['failedStep'], wasActive: boolean) => {
    if (!wasActive) {
      await platform.setL1State({ tenantId, status: 'error', reason, configId });
      // Keep watching: once the customer fixes the key (enables it, grants access), health completes the activation.
      await ensureHealthWorkflow(tenantId, input.healthIntervalMs);
    }
    await platform.recordAudit({ tenantId, actor, operation: 'l1.activate', result: 'failure', reason, details: { configId } });
    await platform.recordNotification({
      tenantId,
      kind: 'l1-error',
      title: 'L1 key activation failed',
      message: reason,
      dedupeKey: `l1-activation-failed:${workflowInfo().runId}`,
    });
    return finish({ ok: false, status: 'error', reason, ...(failedStep ? { failedStep } : {}), nodesInvalidated: 0 });
  };

  step = 'preparing';
  const { previousStatus } = await platform.beginActivation({ tenantId, configId });
  const wasActive = previousStatus === 'active';

  step = 'testing connection';
  const diagnostics = await keystore.runL1Diagnostics({ tenantId, configId });
  if (!diagnostics.ok) {
    const failed = diagnostics.steps.find((s) => s.status === 'failed');
    const reason = `connection test failed at "${diagnostics.failedStep}": ${failed?.message ?? 'unknown error'}`;
    return fail(reason, diagnostics.failedStep, wasActive);
  }

  step = 'wrapping tenant key';
  let prepared;
  try {
    prepared = await keystore.prepareTenantKey({ tenantId, configId });
  } catch (error) {
    if (!isActivityFailure(error)) throw error;
    return fail(`could not wrap the tenant key: ${failureReason(error)}`, undefined, wasActive);
  }

  step = 'activating';
  await platform.setL1State({ tenantId, status: 'active', configId, currentL2Version: prepared.l2Version });
  step = 'invalidating KMIP caches';
  const { nodes } = await platform.invalidateKmipCaches({ tenantId });
  // Every KMIP node now serves the tenant with this key: the activation is in effect. What
  // follows is bookkeeping, independent steps run side by side.
  step = 'effective';
  await Promise.all([
    platform.recordAudit({
      tenantId,
      actor,
      operation: 'l1.activate',
      result: 'success',
      l2Version: prepared.l2Version,
      details: { configId, l2Created: prepared.created, l2Rewrapped: prepared.rewrapped, kmipNodes: nodes },
    }),
    platform.recordNotification({
      tenantId,
      kind: 'l1-activated',
      title: 'L1 key is active',
      message: `Your L1 customer master key is active. Tenant key version ${prepared.l2Version} is in use.`,
      dedupeKey: `l1-activated:${workflowInfo().runId}`,
    }),
    ensureHealthWorkflow(tenantId, input.healthIntervalMs),
  ]);
  return finish({ ok: true, status: 'active', l2Version: prepared.l2Version, nodesInvalidated: nodes });
}

/** Starts the tenant's long-running health check, or nudges the one already running. */
async function ensureHealthWorkflow(tenantId: string, intervalMs: number): Promise<void> {
  const workflowId = workflowIds.health(tenantId);
  try {
    await startChild(l1Health, {
      workflowId,
      args: [{ tenantId, intervalMs }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [{ key: TenantIdSearchAttribute, value: tenantId }],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    await getExternalWorkflowHandle(workflowId).signal(signals.checkNow);
  }
}
