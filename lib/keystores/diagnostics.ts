import { DIAGNOSTIC_STEPS, KeystoreError } from './types.js';
import type { DiagnosticResult, DiagnosticStep, Diagnostics, KeystoreErrorCode } from './types.js';
import type { Redactor } from './shared/redact.js';

/** One check per step; resolves to the message shown when the step passes. */
export type DiagnosticChecks = Record<DiagnosticStep, () => Promise<string>>;

/**
 * Runs the checks in DIAGNOSTIC_STEPS order, times each one, stops at the first failure and
 * marks the remaining steps skipped. Never throws: a connection test reports, it does not crash.
 * Every message passes through `redact`, so a secret echoed by an SDK cannot reach the user.
 * `onStep` sees each result (skipped ones too) as soon as it is known, so a caller can show
 * the test live; it gets the very objects the returned Diagnostics holds.
 */
export async function runDiagnostics(
  checks: DiagnosticChecks,
  redact: Redactor = (m) => m,
  onStep?: (result: DiagnosticResult) => void,
): Promise<Diagnostics> {
  const steps: DiagnosticResult[] = [];
  let failure: { step: DiagnosticStep; retryable: boolean } | undefined;
  const report = (result: DiagnosticResult): void => {
    steps.push(result);
    try {
      onStep?.(result);
    } catch {
      // Progress is a view of the test, never part of its verdict.
    }
  };

  for (const step of DIAGNOSTIC_STEPS) {
    if (failure) {
      report({ step, status: 'skipped', message: `skipped because ${failure.step} failed`, durationMs: 0 });
      continue;
    }
    const started = performance.now();
    try {
      const message = await checks[step]();
      report({ step, status: 'passed', message: redact(message), durationMs: elapsed(started) });
    } catch (error) {
      const { code, message, retryable } = describeFailure(error, step);
      report({ step, status: 'failed', message: redact(message), durationMs: elapsed(started), code });
      failure = { step, retryable };
    }
  }

  if (!failure) return { ok: true, steps };
  return { ok: false, steps, failedStep: failure.step, retryable: failure.retryable };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function describeFailure(error: unknown, step: DiagnosticStep): { code: KeystoreErrorCode; message: string; retryable: boolean } {
  if (error instanceof KeystoreError) return { code: error.code, message: error.message, retryable: error.retryable };
  // Unknown errors are reported by kind only: their text may come from anywhere.
  const kind = error instanceof Error ? error.name : typeof error;
  return { code: 'internal', message: `${step} check failed with an unexpected ${kind}`, retryable: true };
}

/**
 * Several steps are often answered by one keystore call (DescribeKey answers reachable,
 * authenticated and key-exists). A Probe runs that call once per connection test and lets each
 * step re-throw the failure only when the failure belongs to it, so the test ends at the right step.
 */
export class Probe<T> {
  private result?: Promise<{ value: T } | { error: unknown }>;
  constructor(private readonly run: () => Promise<T>) {}

  private outcome(): Promise<{ value: T } | { error: unknown }> {
    this.result ??= this.run().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return this.result;
  }

  /** Throws the probe's error if it belongs to `step` or an earlier one; otherwise resolves. */
  async passes(step: DiagnosticStep): Promise<void> {
    const outcome = await this.outcome();
    if ('error' in outcome && stepIndex(stepOf(outcome.error)) <= stepIndex(step)) throw outcome.error;
  }

  /** The probe's value, or its error whichever step it belongs to. */
  async value(): Promise<T> {
    const outcome = await this.outcome();
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
}

function stepOf(error: unknown): DiagnosticStep {
  return error instanceof KeystoreError && error.step ? error.step : 'reachable';
}

function stepIndex(step: DiagnosticStep): number {
  return DIAGNOSTIC_STEPS.indexOf(step);
}
