import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { L1ConfigInput, TestResult } from '../api';
import { stubFetch } from '../testing/fake-fetch';
import { TEST_GIVE_UP_MS, TEST_POLL_MS, useL1Store } from './l1';

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

const completed = (result: TestResult) => ({ testId: 't1', status: 'completed', startedAt: '2026-01-01T00:00:00Z', steps: result.steps, result });
const running = (reported: TestResult['steps']) => ({
  testId: 't1',
  status: 'running',
  startedAt: '2026-01-01T00:00:00Z',
  steps: [...reported, ...steps().slice(reported.length).map(({ step }) => ({ step, status: 'pending' }))],
});

/** A test that completes at once: what the activation tests need. */
const passingTest = {
  'POST /api/l1/configs/cfg-1/tests': { status: 202, body: { testId: 't1' } },
  'GET /api/l1/configs/cfg-1/tests/t1': { body: completed(PASS) },
};

describe('l1 store', () => {
  it('saves the form as a draft, starts the test and shows each step as soon as the API reports it', async () => {
    vi.useFakeTimers();
    const replies = [running([]), running(PASS.steps.slice(0, 1)), running(PASS.steps.slice(0, 3)), completed(PASS)];
    const { calls } = stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/tests': { status: 202, body: { testId: 't1' } },
      'GET /api/l1/configs/cfg-1/tests/t1': () => ({ body: replies.length > 1 ? replies.shift() : replies[0] }),
      'GET /api/l1/configs': { body: { items: [] } },
    });
    const l1 = useL1Store();
    const finished = l1.runTest(INPUT, 'fp-1');
    await vi.advanceTimersByTimeAsync(0);
    expect(l1.test).toMatchObject({ phase: 'testing', configId: 'cfg-1', testId: 't1' });
    expect(l1.test.steps?.map((s) => s.status)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending', 'pending']);
    await vi.advanceTimersByTimeAsync(TEST_POLL_MS);
    expect(l1.test.steps?.map((s) => s.status)).toEqual(['passed', 'pending', 'pending', 'pending', 'pending', 'pending']);
    expect(l1.canActivate('fp-1')).toBe(false);
    await vi.advanceTimersByTimeAsync(TEST_POLL_MS);
    expect(l1.test.steps?.filter((s) => s.status === 'passed')).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(TEST_POLL_MS);
    const run = await finished;
    expect(run).toMatchObject({ phase: 'done', configId: 'cfg-1', fingerprint: 'fp-1', result: PASS });
    expect(calls.map((c) => `${c.method} ${c.url}`).slice(0, 3)).toEqual([
      'POST /api/l1/configs',
      'POST /api/l1/configs/cfg-1/tests',
      'GET /api/l1/configs/cfg-1/tests/t1',
    ]);
    expect(calls.filter((c) => c.url === '/api/l1/configs/cfg-1/tests/t1')).toHaveLength(4);
    expect(calls[0]?.body).toEqual(INPUT);
    expect(l1.canActivate('fp-1')).toBe(true);
    expect(l1.canActivate('fp-2')).toBe(false);

    // Testing the same form again does not create another configuration.
    replies.splice(0, replies.length, completed(PASS));
    await l1.runTest(INPUT, 'fp-1');
    expect(calls.filter((c) => c.method === 'POST' && c.url === '/api/l1/configs')).toHaveLength(1);
  });

  it('a test that ran and failed is done with its failing step, and never allows activation', async () => {
    const failed: TestResult = { ok: false, failedStep: 'authenticated', steps: steps('authenticated') };
    stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/tests': { status: 202, body: { testId: 't1' } },
      'GET /api/l1/configs/cfg-1/tests/t1': { body: completed(failed) },
      'GET /api/l1/configs': { body: { items: [] } },
    });
    const l1 = useL1Store();
    const run = await l1.runTest(INPUT, 'fp');
    expect(run.phase).toBe('done');
    expect(run.result).toEqual(failed);
    expect(l1.canActivate('fp')).toBe(false);
  });

  it('a test that could not run to the end is an error run with the API’s reason and the steps it got to', async () => {
    stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/tests': { status: 202, body: { testId: 't1' } },
      'GET /api/l1/configs/cfg-1/tests/t1': { body: { ...running(PASS.steps.slice(0, 1)), status: 'failed', reason: 'the test timed out' } },
      'GET /api/l1/configs': { body: { items: [] } },
    });
    const l1 = useL1Store();
    const run = await l1.runTest(INPUT, 'fp');
    expect(run.phase).toBe('error');
    expect(run.error).toMatchObject({ code: 'test_failed', message: 'the test timed out' });
    expect(run.steps?.[0]?.status).toBe('passed');
    expect(l1.canActivate('fp')).toBe(false);
  });

  it('asks again after a transient poll failure, and gives up when the test never finishes', async () => {
    vi.useFakeTimers();
    let polls = 0;
    stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/tests': { status: 202, body: { testId: 't1' } },
      'GET /api/l1/configs/cfg-1/tests/t1': () => (++polls === 2 ? { status: 503, body: { error: { code: 'unavailable', message: 'down' } } } : { body: running([]) }),
      'GET /api/l1/configs': { body: { items: [] } },
    });
    const l1 = useL1Store();
    const finished = l1.runTest(INPUT, 'fp');
    await vi.advanceTimersByTimeAsync(TEST_POLL_MS * 3);
    expect(l1.test.phase).toBe('testing');
    expect(polls).toBeGreaterThanOrEqual(3);
    await vi.advanceTimersByTimeAsync(TEST_GIVE_UP_MS);
    const run = await finished;
    expect(run.phase).toBe('error');
    expect(run.error?.code).toBe('test_timeout');
    expect(run.error?.message).toContain('worker');
  });

  it('deletes a draft that did not pass when a changed form replaces it, and keeps one that passed', async () => {
    let created = 0;
    let result: TestResult = { ok: false, failedStep: 'reachable', steps: steps('reachable') };
    const { calls } = stubFetch({
      'POST /api/l1/configs': () => ({ status: 201, body: { id: `cfg-${++created}` } }),
      'POST /api/l1/configs/cfg-1/tests': { status: 202, body: { testId: 't1' } },
      'POST /api/l1/configs/cfg-2/tests': { status: 202, body: { testId: 't1' } },
      'POST /api/l1/configs/cfg-3/tests': { status: 202, body: { testId: 't1' } },
      'GET /api/l1/configs/cfg-1/tests/t1': () => ({ body: completed(result) }),
      'GET /api/l1/configs/cfg-2/tests/t1': () => ({ body: completed(result) }),
      'GET /api/l1/configs/cfg-3/tests/t1': () => ({ body: completed(result) }),
      'DELETE /api/l1/configs/cfg-1': { status: 204 },
      'GET /api/l1/configs': { body: { items: [] } },
    });
    const l1 = useL1Store();
    await l1.runTest(INPUT, 'fp-1');
    result = PASS;
    await l1.runTest({ ...INPUT, label: 'Prod, fixed' }, 'fp-2');
    await l1.runTest({ ...INPUT, label: 'Prod, renamed' }, 'fp-3');
    const deletes = calls.filter((c) => c.method === 'DELETE').map((c) => c.url);
    // cfg-1 failed and was replaced: deleted. cfg-2 passed: kept when cfg-3 replaced it.
    expect(deletes).toEqual(['/api/l1/configs/cfg-1']);
    expect(l1.test).toMatchObject({ phase: 'done', configId: 'cfg-3' });
  });

  it('deleting the form’s draft from the list locks Save & activate again', async () => {
    stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      ...passingTest,
      'GET /api/l1/configs': { body: { items: [{ id: 'cfg-1' }, { id: 'cfg-0' }] } },
      'DELETE /api/l1/configs/cfg-1': { status: 204 },
    });
    const l1 = useL1Store();
    await l1.runTest(INPUT, 'fp');
    await l1.loadConfigs();
    expect(l1.canActivate('fp')).toBe(true);
    await l1.deleteConfig('cfg-1');
    expect(l1.configs.map((c) => c.id)).toEqual(['cfg-0']);
    expect(l1.canActivate('fp')).toBe(false);
    expect(l1.test.phase).toBe('idle');
  });

  it('stops polling a test when the session ends', async () => {
    vi.useFakeTimers();
    const { calls } = stubFetch({
      'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
      'POST /api/l1/configs/cfg-1/tests': { status: 202, body: { testId: 't1' } },
      'GET /api/l1/configs/cfg-1/tests/t1': { body: running([]) },
    });
    const l1 = useL1Store();
    const finished = l1.runTest(INPUT, 'fp');
    await vi.advanceTimersByTimeAsync(TEST_POLL_MS * 2);
    l1.reset();
    await vi.advanceTimersByTimeAsync(TEST_POLL_MS);
    await finished;
    const polls = calls.length;
    await vi.advanceTimersByTimeAsync(TEST_POLL_MS * 10);
    expect(calls.length).toBe(polls);
    expect(l1.test.phase).toBe('idle');
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
      ...passingTest,
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
      ...passingTest,
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
