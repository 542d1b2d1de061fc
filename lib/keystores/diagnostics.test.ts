import { describe, expect, it } from 'vitest';
import { Probe, runDiagnostics } from './diagnostics.js';
import type { DiagnosticChecks } from './diagnostics.js';
import type { DiagnosticResult } from './types.js';
import { KeystoreError } from './types.js';

const pass = (m: string) => async () => m;

function checks(overrides: Partial<DiagnosticChecks> = {}): DiagnosticChecks {
  return {
    reachable: pass('up'),
    authenticated: pass('creds ok'),
    'key-exists': pass('found'),
    enabled: pass('enabled'),
    usage: pass('wrap ok'),
    'round-trip': pass('round trip ok'),
    ...overrides,
  };
}

describe('runDiagnostics', () => {
  it('runs every step in order and reports ok', async () => {
    const order: string[] = [];
    const tracked = Object.fromEntries(
      Object.entries(checks()).map(([step, fn]) => [step, async () => (order.push(step), fn())]),
    ) as unknown as DiagnosticChecks;
    const d = await runDiagnostics(tracked);
    expect(d.ok).toBe(true);
    expect(order).toEqual(['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip']);
    expect(d.steps.every((s) => s.status === 'passed' && s.durationMs >= 0)).toBe(true);
    expect(d.failedStep).toBeUndefined();
  });

  it('stops at the first failure, marks the rest skipped and never runs them', async () => {
    let ranLater = false;
    const d = await runDiagnostics(
      checks({
        enabled: async () => {
          throw new KeystoreError('disabled', 'key is disabled', 'enabled');
        },
        usage: async () => {
          ranLater = true;
          return 'x';
        },
      }),
    );
    expect(ranLater).toBe(false);
    expect(d.ok).toBe(false);
    expect(d.failedStep).toBe('enabled');
    expect(d.retryable).toBe(false);
    expect(d.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed', 'failed', 'skipped', 'skipped']);
    expect(d.steps[3]).toMatchObject({ code: 'disabled', message: 'key is disabled' });
  });

  it('marks transient failures retryable and hides the text of unexpected errors', async () => {
    const transient = await runDiagnostics(checks({ reachable: async () => Promise.reject(new KeystoreError('unreachable', 'down')) }));
    expect(transient.retryable).toBe(true);
    const unexpected = await runDiagnostics(checks({ usage: async () => Promise.reject(new TypeError('secret=hunter2')) }));
    expect(unexpected.steps[4]).toMatchObject({ status: 'failed', code: 'internal' });
    expect(JSON.stringify(unexpected)).not.toContain('hunter2');
  });

  it('hands each result to onStep as soon as it is known, in order, the same objects it returns', async () => {
    const seen: DiagnosticResult[] = [];
    let seenBeforeUsage = 0;
    const d = await runDiagnostics(
      checks({
        usage: async () => {
          seenBeforeUsage = seen.length;
          throw new KeystoreError('wrong-usage', 'sign only, pin 4711', 'usage');
        },
      }),
      (m) => m.replaceAll('4711', '[redacted]'),
      (result) => seen.push(result),
    );
    // The four steps before usage were reported before usage even started.
    expect(seenBeforeUsage).toBe(4);
    expect(seen.map((s) => [s.step, s.status])).toEqual([
      ['reachable', 'passed'],
      ['authenticated', 'passed'],
      ['key-exists', 'passed'],
      ['enabled', 'passed'],
      ['usage', 'failed'],
      ['round-trip', 'skipped'],
    ]);
    expect(seen).toEqual(d.steps);
    seen.forEach((result, i) => expect(result).toBe(d.steps[i]));
    expect(seen[4]?.message).toBe('sign only, pin [redacted]');
  });

  it('ignores an onStep that throws: the verdict stays the same', async () => {
    const d = await runDiagnostics(checks(), undefined, () => {
      throw new Error('progress store down');
    });
    expect(d.ok).toBe(true);
    expect(d.steps).toHaveLength(6);
  });

  it('redacts every message', async () => {
    const d = await runDiagnostics(
      checks({ authenticated: async () => Promise.reject(new KeystoreError('access-denied', 'bad pin 987654')) }),
      (m) => m.replaceAll('987654', '[redacted]'),
    );
    expect(d.steps[1]?.message).toBe('bad pin [redacted]');
  });
});

describe('Probe', () => {
  it('runs once and fails only the step its error belongs to (or later ones)', async () => {
    let calls = 0;
    const probe = new Probe(async () => {
      calls++;
      throw new KeystoreError('not-found', 'no such key', 'key-exists');
    });
    await expect(probe.passes('authenticated')).resolves.toBeUndefined();
    await expect(probe.passes('key-exists')).rejects.toThrow('no such key');
    await expect(probe.passes('usage')).rejects.toThrow('no such key');
    await expect(probe.value()).rejects.toThrow('no such key');
    expect(calls).toBe(1);
  });
});

describe('KeystoreError', () => {
  it('keeps only name, code and status of an SDK cause, never its request', () => {
    const sdkError = Object.assign(new Error('boom'), {
      name: 'RestError',
      code: 'Forbidden',
      statusCode: 403,
      request: { headers: { authorization: 'Bearer secret-token' }, body: '{"value":"l2-material"}' },
    });
    const e = new KeystoreError('access-denied', 'denied', 'key-exists', { cause: sdkError });
    expect(e.cause).toEqual({ name: 'RestError', code: 'Forbidden', statusCode: 403 });
    expect(JSON.stringify(e.cause)).not.toContain('secret-token');
    const wrapped = new KeystoreError('internal', 'x', undefined, { cause: e });
    expect(wrapped.cause).toBe(e);
  });
});
