import { condition, continueAsNew, defineSignal, setHandler } from '@temporalio/workflow';
import type { HealthInput } from './contracts.js';
import { signals } from './contracts.js';
import { keystore, platform } from './activity-options.js';
import { isActivityFailure } from './failures.js';

export const checkNowSignal = defineSignal(signals.checkNow);
export const stopHealthSignal = defineSignal(signals.stopHealth);

const system = { kind: 'system', id: 'l1-health' } as const;
/** Transient failures must repeat this many times in a row before the key is marked Error. */
const TRANSIENT_FAILURES_TO_ERROR = 2;

/**
 * Watches one tenant's L1 key for as long as it is configured: Active → Error when the
 * keystore stops unwrapping (the KMIP server then refuses the tenant), Error → Active when it
 * works again. Permanent failures (key disabled, access revoked) flip at once; transient ones
 * (network, throttling) only when repeated. Continues-as-new to keep its history short.
 */
export async function l1Health(input: HealthInput): Promise<void> {
  const { tenantId } = input;
  let checkRequested = false;
  let stopRequested = false;
  let transientFailures = 0;
  setHandler(checkNowSignal, () => void (checkRequested = true));
  setHandler(stopHealthSignal, () => void (stopRequested = true));

  for (let check = 0; check < (input.checksBeforeContinue ?? 200); check++) {
    await condition(() => checkRequested || stopRequested, input.intervalMs);
    if (stopRequested) return;
    checkRequested = false;

    const result = await platform.checkL1Health({ tenantId });
    if (result.status === 'revoked' || result.status === 'inactive') return;
    if (result.healthy) {
      transientFailures = 0;
      if (result.status === 'error') await recover(tenantId);
      continue;
    }
    transientFailures = result.failureKind === 'transient' ? transientFailures + 1 : TRANSIENT_FAILURES_TO_ERROR;
    if (result.status === 'active' && transientFailures >= TRANSIENT_FAILURES_TO_ERROR) {
      await transition(tenantId, 'error', result.reason ?? 'the L1 key is unavailable');
    }
  }
  await continueAsNew<typeof l1Health>(input);
}

/** Error → Active. If activation never got as far as the tenant key, finish it now. */
async function recover(tenantId: string): Promise<void> {
  const { configId } = await platform.getL1State({ tenantId });
  if (!configId) return;
  let l2Version: number;
  try {
    ({ l2Version } = await keystore.prepareTenantKey({ tenantId, configId }));
  } catch (error) {
    // Still not usable (e.g. wrap refused): stay in Error and try again at the next check.
    if (isActivityFailure(error)) return;
    throw error;
  }
  await transition(tenantId, 'active', undefined, l2Version);
}

async function transition(tenantId: string, status: 'active' | 'error', reason: string | undefined, l2Version?: number): Promise<void> {
  await platform.setL1State({ tenantId, status, ...(reason ? { reason } : {}), ...(l2Version ? { currentL2Version: l2Version } : {}) });
  await platform.invalidateKmipCaches({ tenantId });
  await platform.recordAudit({
    tenantId,
    actor: system,
    operation: status === 'active' ? 'l1.recovered' : 'l1.error',
    result: status === 'active' ? 'success' : 'failure',
    ...(reason ? { reason } : {}),
  });
  await platform.recordNotification({
    tenantId,
    kind: status === 'active' ? 'l1-recovered' : 'l1-error',
    title: status === 'active' ? 'L1 key is reachable again' : 'L1 key is unavailable',
    message: status === 'active'
      ? 'OpenKCM can use your L1 key again; MongoDB key requests are served.'
      : `OpenKCM cannot use your L1 key: ${reason}. MongoDB key requests are refused until it is fixed.`,
    dedupeKey: `health:${tenantId}:${status}:${Date.now()}`,
  });
}
