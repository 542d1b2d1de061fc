import { describe, expect, it } from 'vitest';
import type { DiagnosticResult } from '../../lib/keystores/types.js';
import { testRunOf } from './test-runs.js';

const STEPS = ['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip'] as const;
const passed = (step: (typeof STEPS)[number]): DiagnosticResult => ({ step, status: 'passed', message: `${step} ok`, durationMs: 2 });
const startedAt = '2026-01-01T00:00:00.000Z';

describe('testRunOf', () => {
  it('takes the steps from the result once the test completed', () => {
    const steps = STEPS.map(passed);
    const view = testRunOf('t1', { status: 'completed', startedAt, result: { ok: true, steps } }, { testId: 'other', startedAt: new Date(), steps: [] });
    expect(view).toEqual({ testId: 't1', status: 'completed', startedAt, steps, result: { ok: true, steps } });
  });

  it('while running, shows the live steps of this test and the rest pending, in step order', () => {
    const live = { testId: 't1', startedAt: new Date(), steps: [passed('reachable'), { ...passed('authenticated'), status: 'failed' as const, code: 'access-denied' as const }] };
    const view = testRunOf('t1', { status: 'running', startedAt }, live);
    expect(view.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'reachable:passed',
      'authenticated:failed',
      'key-exists:pending',
      'enabled:pending',
      'usage:pending',
      'round-trip:pending',
    ]);
    // Only the documented fields: the error code stays inside.
    expect(view.steps[1]).toEqual({ step: 'authenticated', status: 'failed', message: 'authenticated ok', durationMs: 2 });
    expect(view).not.toHaveProperty('result');
  });

  it('ignores another test’s live steps and carries the reason of a failed test', () => {
    const view = testRunOf('t1', { status: 'failed', startedAt, reason: 'the test timed out' }, { testId: 't2', startedAt: new Date(), steps: [passed('reachable')] });
    expect(view.steps.every((s) => s.status === 'pending')).toBe(true);
    expect(view.reason).toBe('the test timed out');
  });
});
