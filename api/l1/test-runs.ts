import type { z } from 'zod';
import { DIAGNOSTIC_STEPS, type DiagnosticResult } from '../../lib/keystores/types.js';
import type { L1TestProgress } from '../../lib/tenants/l1-configs.js';
import type { L1TestRun } from '../workflow-starter.js';
import type { testRunView } from './schema.js';

/**
 * What `GET /api/l1/configs/:id/tests/:testId` answers: the workflow says whether the test
 * runs, completed or failed; the steps come from the result once there is one, else from the
 * configuration's live test (when it is this test), and every step not reported yet is pending.
 */
export function testRunOf(testId: string, run: L1TestRun, live: L1TestProgress | undefined): z.input<typeof testRunView> {
  const reported: DiagnosticResult[] = run.status === 'completed' ? run.result.steps : live?.testId === testId ? live.steps : [];
  const byStep = new Map(reported.map((s) => [s.step, s]));
  const steps = DIAGNOSTIC_STEPS.map((step) => {
    const known = byStep.get(step);
    return known ? { step, status: known.status, message: known.message, durationMs: known.durationMs } : { step, status: 'pending' as const };
  });
  return {
    testId,
    status: run.status,
    startedAt: run.startedAt,
    steps,
    ...(run.status === 'completed' ? { result: run.result } : {}),
    ...(run.status === 'failed' ? { reason: run.reason } : {}),
  };
}
