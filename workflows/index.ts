/**
 * Every workflow the worker registers (Temporal bundles this file). Workflows import only
 * activity types (ARCHITECTURE invariant 5).
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as smoke from '../activities/smoke.js';

const { smokeEcho } = proxyActivities<typeof smoke>({ startToCloseTimeout: '10 seconds' });

/** Used by the dev stack's smoke test: one activity round trip. */
export async function smokeWorkflow(name: string): Promise<string> {
  return smokeEcho(name);
}
