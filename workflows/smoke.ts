import { proxyActivities } from '@temporalio/workflow';
import type * as smoke from '../activities/smoke.js';

const { smokeEcho } = proxyActivities<typeof smoke>({ startToCloseTimeout: '10 seconds' });

/** One activity round trip: proves a worker is polling and running activities (dev-stack smoke test). */
export async function smokeWorkflow(name: string): Promise<string> {
  return smokeEcho(name);
}
