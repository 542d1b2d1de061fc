import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { L1ConfigInput, TestResult } from '../api';
import { stubFetch } from '../testing/fake-fetch';
import { useL1Store } from './l1';

const INPUT: L1ConfigInput = {
  kind: 'aws-kms',
  label: 'Prod',
  settings: { keyArn: 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
  secrets: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secretsecretsecret' },
};

const steps = (failAt?: string): TestResult['steps'] =>
  ['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip'].map((step, i, all) => {
    const failIndex = failAt ? all.indexOf(failAt) : -1;
    const status = failIndex < 0 || i < failIndex ? 'passed' : i === failIndex ? 'failed' : 'skipped';
    return { step: step as TestResult['steps'][number]['step'], status, message: status, durationMs: 1 };
  });

const PASS: TestResult = { ok: true, steps: steps() };

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('l1 store', () => {
  it('saves the form as a draft configuration, then tests that configuration', async () => {
    const { calls } = stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/test': { body: PASS },
      'GET /api/l1/configs': { body: { items: [] } },
    });
    const l1 = useL1Store();
    const run = await l1.runTest(INPUT, 'fp-1');
    expect(run).toMatchObject({ phase: 'done', configId: 'cfg-1', fingerprint: 'fp-1', result: PASS });
    expect(calls.map((c) => `${c.method} ${c.url}`).slice(0, 2)).toEqual(['POST /api/l1/configs', 'POST /api/l1/configs/cfg-1/test']);
    expect(calls[0]?.body).toEqual(INPUT);
    expect(l1.canActivate('fp-1')).toBe(true);
    expect(l1.canActivate('fp-2')).toBe(false);

    // Testing the same form again does not create another configuration.
    await l1.runTest(INPUT, 'fp-1');
    expect(calls.filter((c) => c.method === 'POST' && c.url === '/api/l1/configs')).toHaveLength(1);
  });

  it('accepts a failed test as 200 {ok:false} or as 422 l1_test_failed, and never allows activation', async () => {
    const failed: TestResult = { ok: false, failedStep: 'authenticated', steps: steps('authenticated') };
    stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/test': { status: 422, body: { error: { code: 'l1_test_failed', message: 'failed', details: failed } } },
      'GET /api/l1/configs': { body: { items: [] } },
    });
    const l1 = useL1Store();
    const run = await l1.runTest(INPUT, 'fp');
    expect(run.phase).toBe('done');
    expect(run.result).toEqual(failed);
    expect(l1.canActivate('fp')).toBe(false);
  });

  it('reports an API error (not a test failure) as an error run', async () => {
    stubFetch({ 'POST /api/l1/configs': { status: 400, body: { error: { code: 'invalid_request', message: 'bad', details: { fields: { label: 'required' } } } } } });
    const l1 = useL1Store();
    const run = await l1.runTest(INPUT, 'fp');
    expect(run.phase).toBe('error');
    expect(run.error?.fieldErrors).toEqual({ label: 'required' });
    expect(l1.canActivate('fp')).toBe(false);
  });

  it('activates the tested configuration and polls the activation until it completes', async () => {
    vi.useFakeTimers();
    let polls = 0;
    const { calls } = stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/test': { body: PASS },
      'GET /api/l1/configs': { body: { items: [] } },
      'POST /api/l1/configs/cfg-1/activate': { status: 202, body: { workflowId: 'l1-activate/acme' } },
      'GET /api/l1/activation': () => {
        polls++;
        return polls < 3
          ? { body: { workflowId: 'l1-activate/acme', step: 'wrapping tenant key', status: 'running' } }
          : { body: { workflowId: 'l1-activate/acme', step: 'done', status: 'completed', result: { ok: true, status: 'active', l2Version: 1 } } };
      },
      'GET /api/l1': { body: { status: 'active', changedAt: '2026-01-01T00:00:00Z' } },
    });
    const l1 = useL1Store();
    await l1.runTest(INPUT, 'fp');
    await expect(l1.activate('other-form')).resolves.toBe(false);
    await expect(l1.activate('fp')).resolves.toBe(true);
    expect(l1.activationRunning).toBe(true);
    // A second activation of the same draft is not possible.
    expect(l1.canActivate('fp')).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(l1.activation).toMatchObject({ status: 'completed', result: { l2Version: 1 } });
    expect(l1.state?.status).toBe('active');
    expect(calls.filter((c) => c.url === '/api/l1/activation')).toHaveLength(3);
    expect(calls.find((c) => c.url === '/api/l1/configs/cfg-1/activate')?.method).toBe('POST');
  });

  it('ignores the previous activation run while the new one has not shown up', async () => {
    vi.useFakeTimers();
    let polls = 0;
    stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/test': { body: PASS },
      'GET /api/l1/configs': { body: { items: [] } },
      'POST /api/l1/configs/cfg-1/activate': { status: 202, body: { workflowId: 'w', runId: 'new' } },
      'GET /api/l1/activation': () => {
        polls++;
        return polls === 1
          ? { body: { workflowId: 'w', runId: 'old', step: 'done', status: 'completed', result: { ok: false, status: 'error', reason: 'old' } } }
          : { body: { workflowId: 'w', runId: 'new', step: 'done', status: 'completed', result: { ok: true, status: 'active' } } };
      },
      'GET /api/l1': { body: { status: 'active', changedAt: '2026-01-01T00:00:00Z' } },
    });
    const l1 = useL1Store();
    await l1.runTest(INPUT, 'fp');
    await l1.activate('fp');
    await vi.advanceTimersByTimeAsync(600);
    expect(l1.activation?.status).toBe('running');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(l1.activation).toMatchObject({ runId: 'new', status: 'completed' });
  });

  it('rotates and revokes with the typed confirmation', async () => {
    const { calls } = stubFetch({
      'POST /api/l1/rotate': { body: { l2Version: 4 } },
      'POST /api/l1/revoke': { body: { status: 'revoked' } },
      'GET /api/l1': { body: { status: 'revoked', changedAt: '2026-01-01T00:00:00Z' } },
      'GET /api/l1/configs': { body: { items: [] } },
    });
    const l1 = useL1Store();
    await expect(l1.rotate('acme')).resolves.toBe(4);
    await l1.revoke('acme', 'leak');
    expect(calls.find((c) => c.url === '/api/l1/rotate')?.body).toEqual({ confirm: 'acme' });
    expect(calls.find((c) => c.url === '/api/l1/revoke')?.body).toEqual({ confirm: 'acme', reason: 'leak' });
    expect(l1.state?.status).toBe('revoked');
  });

  it('treats a 404 activation as "none yet"', async () => {
    stubFetch({});
    const l1 = useL1Store();
    await l1.resumeActivation();
    expect(l1.activation).toBeUndefined();
    expect(l1.activationError).toBeUndefined();
  });
});
