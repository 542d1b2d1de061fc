import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TenantIdSearchAttribute, workflowIds, type ActivateL1Input, type TestL1Input } from '../../workflows/contracts.js';
import type { TestApi } from '../testing/harness.js';
import { useTestApi } from '../testing/use-test-api.js';

const api = useTestApi({ temporal: true, config: { workflowWaitMs: 1_500, activationSlaMs: 111_000, healthIntervalMs: 2_222 } });
let admin: string;
let auditor: string;
let otherAdmin: string;

const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSecretValue';
const SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDSessionTokenValue123';

const awsConfig = (label = 'prod key') => ({
  kind: 'aws-kms',
  label,
  settings: {
    keyArn: 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    endpoint: 'http://127.0.0.1:4599',
  },
  secrets: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN },
});

const responses: string[] = [];
async function call(method: string, path: string, options: Parameters<TestApi['request']>[2] = {}) {
  const response = await api.request(method, path, options);
  responses.push(response.text);
  return response;
}

async function workflowInput<T>(workflowId: string): Promise<T> {
  const history = await api.deps.temporal.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as T;
}

beforeAll(async () => {
  ({ adminToken: admin, auditorToken: auditor } = await api.tenantWithUsers('acme'));
  ({ adminToken: otherAdmin } = await api.tenantWithUsers('other'));
}, 120_000);

describe('L1 configurations', () => {
  let configId: string;

  it('creates a configuration: settings validated by the keystore schema, secrets sealed and write-only', async () => {
    const response = await call('POST', '/api/l1/configs', { token: admin, body: awsConfig() });
    expect(response.status).toBe(201);
    configId = response.json.id;
    expect(response.headers.get('location')).toBe(`/api/l1/configs/${configId}`);
    expect(response.json).toMatchObject({
      kind: 'aws-kms',
      label: 'prod key',
      state: 'draft',
      createdBy: 'admin',
      secretsConfigured: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
      settings: { keyArn: awsConfig().settings.keyArn, region: 'eu-central-1', endpoint: 'http://127.0.0.1:4599' },
    });
    expect(response.json.settings).not.toHaveProperty('kind');
    expect(response.text).not.toContain('AKIAIOSFODNN7EXAMPLE');

    // Stored in the keystore's own shape, so the connector factory takes it as it is.
    const stored = await api.deps.repos.l1Configs.collection.findOne({ _id: configId });
    expect(stored!.settings).toMatchObject({ kind: 'aws-kms', credentials: { type: 'static', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } });
    expect(JSON.stringify(stored)).not.toContain(SECRET_ACCESS_KEY);
    const opened = JSON.parse(api.deps.sealer.open(stored!.sealedSecrets, `l1-config:acme:${configId}`).toString('utf8'));
    expect(opened).toEqual({ secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN });
  });

  it('lists and reads configurations of the caller’s tenant only', async () => {
    const list = await call('GET', '/api/l1/configs', { token: auditor });
    expect(list.status).toBe(200);
    expect(list.json.items.map((c: { id: string }) => c.id)).toEqual([configId]);
    expect((await call('GET', `/api/l1/configs/${configId}`, { token: auditor })).status).toBe(200);

    const foreign = await call('GET', `/api/l1/configs/${configId}`, { token: otherAdmin });
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.code).toBe('not_found');
    expect((await call('GET', '/api/l1/configs', { token: otherAdmin })).json.items).toEqual([]);
    expect((await call('POST', `/api/l1/configs/${configId}/activate`, { token: otherAdmin })).status).toBe(404);
  });

  it('400 naming settings and secrets fields, never echoing values', async () => {
    const body = awsConfig();
    const response = await call('POST', '/api/l1/configs', {
      token: admin,
      body: { ...body, label: '', settings: { ...body.settings, keyArn: 'arn:not-kms' }, secrets: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'short' } },
    });
    expect(response.status).toBe(400);
    expect(Object.keys(response.json.error.details.fields).sort()).toEqual(['label', 'secrets.secretAccessKey', 'settings.keyArn']);

    const unknownField = await call('POST', '/api/l1/configs', { token: admin, body: { ...body, settings: { ...body.settings, secretAccessKey: 'pasted here' } } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.json.error.details.fields).toHaveProperty('settings');
    const noKey = await call('POST', '/api/l1/configs', { token: admin, body: { ...body, secrets: {} } });
    expect(Object.keys(noKey.json.error.details.fields)).toEqual(['secrets.accessKeyId']);
    expect(response.text).not.toContain('arn:not-kms');

    const kind = await call('POST', '/api/l1/configs', { token: admin, body: { ...body, kind: 'vault' } });
    expect(kind.status).toBe(400);
    expect(kind.json.error.details.fields).toHaveProperty('kind');
  });

  it('403 when an auditor tries to change anything; 401 without a token', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/l1/configs', awsConfig()],
      ['POST', `/api/l1/configs/${configId}/test`, undefined],
      ['POST', `/api/l1/configs/${configId}/tests`, undefined],
      ['DELETE', `/api/l1/configs/${configId}`, undefined],
      ['POST', `/api/l1/configs/${configId}/activate`, undefined],
      ['POST', '/api/l1/rotate', { confirm: 'acme' }],
      ['POST', '/api/l1/revoke', { confirm: 'acme', reason: 'x' }],
    ] as const) {
      const forbidden = await call(method, path, { token: auditor, ...(body ? { body } : {}) });
      expect(forbidden.status, path).toBe(403);
      expect(forbidden.json.error.code).toBe('forbidden');
      expect((await call(method, path, body ? { body } : {})).status, path).toBe(401);
    }
  });

  it('test starts testL1Connection for this config and answers 503 when no worker finishes it in time', async () => {
    const response = await call('POST', `/api/l1/configs/${configId}/test`, { token: admin });
    expect(response.status).toBe(503);
    const runs = [];
    for await (const run of api.deps.temporal.workflow.list({ query: `WorkflowType = "testL1Connection" AND TenantId = "acme"` })) runs.push(run);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.workflowId.startsWith(`l1-test/acme/${configId}/`)).toBe(true);
    const nonce = runs[0]!.workflowId.split('/').at(-1);
    // The synchronous route records live progress too: its workflow carries the nonce as test id.
    expect(await workflowInput<TestL1Input>(runs[0]!.workflowId)).toEqual({ tenantId: 'acme', configId, actor: { kind: 'user', id: 'admin' }, testId: nonce });
  });

  describe('live connection tests', () => {
    let testId: string;
    const testPath = (id = testId, config = configId) => `/api/l1/configs/${config}/tests/${id}`;

    it('POST …/tests starts the test and answers 202 {testId} at once; the test id is the workflow id’s nonce', async () => {
      const response = await call('POST', `/api/l1/configs/${configId}/tests`, { token: admin });
      // No worker runs here: a route that waited for the workflow would answer 503 after workflowWaitMs.
      expect(response.status).toBe(202);
      expect(Object.keys(response.json)).toEqual(['testId']);
      testId = response.json.testId;
      expect(response.headers.get('location')).toBe(testPath());
      const workflowId = workflowIds.testL1('acme', configId, testId);
      const description = await api.deps.temporal.workflow.getHandle(workflowId).describe();
      expect(description.type).toBe('testL1Connection');
      expect(description.typedSearchAttributes.get(TenantIdSearchAttribute)).toBe('acme');
      expect(await workflowInput<TestL1Input>(workflowId)).toEqual({ tenantId: 'acme', configId, actor: { kind: 'user', id: 'admin' }, testId });
    });

    it('GET …/tests/:testId shows every step pending until the worker reports one', async () => {
      const response = await call('GET', testPath(), { token: auditor });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ testId, status: 'running' });
      expect(Date.parse(response.json.startedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(response.json.steps).toEqual(
        ['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip'].map((step) => ({ step, status: 'pending' })),
      );
      expect(response.json).not.toHaveProperty('result');
    });

    it('GET shows the steps recorded so far, in order, and the rest pending — only for its own test id', async () => {
      const reported = [
        { step: 'reachable' as const, status: 'passed' as const, message: '127.0.0.1:4599 answered (HTTP 400)', durationMs: 4.5 },
        { step: 'authenticated' as const, status: 'passed' as const, message: 'KMS accepted the access key', durationMs: 20 },
      ];
      await api.deps.repos.l1Configs.recordTestProgress('acme', configId, { testId, startedAt: new Date(), steps: reported });
      const response = await call('GET', testPath(), { token: admin });
      expect(response.json.status).toBe('running');
      expect(response.json.steps).toEqual([...reported, ...['key-exists', 'enabled', 'usage', 'round-trip'].map((step) => ({ step, status: 'pending' }))]);

      // A newer test of the same configuration replaces the live record; this one no longer claims its steps.
      await api.deps.repos.l1Configs.recordTestProgress('acme', configId, { testId: randomUUID(), startedAt: new Date(), steps: reported });
      expect((await call('GET', testPath(), { token: admin })).json.steps.every((s: { status: string }) => s.status === 'pending')).toBe(true);
      await api.deps.repos.l1Configs.recordTestProgress('acme', configId, { testId, startedAt: new Date(), steps: reported });
    });

    it('404 for another tenant, another configuration or an unknown test; 400 for a malformed test id', async () => {
      const foreign = await call('GET', testPath(), { token: otherAdmin });
      expect(foreign.status).toBe(404);
      expect(foreign.json.error.code).toBe('not_found');
      expect((await call('POST', `/api/l1/configs/${configId}/tests`, { token: otherAdmin })).status).toBe(404);

      const otherConfig = (await call('POST', '/api/l1/configs', { token: admin, body: awsConfig('second key') })).json.id as string;
      expect((await call('GET', testPath(testId, otherConfig), { token: admin })).status).toBe(404);
      expect((await call('GET', testPath(randomUUID()), { token: admin })).status).toBe(404);
      expect((await call('GET', testPath(testId, 'no-such-config'), { token: admin })).status).toBe(404);
      await call('DELETE', `/api/l1/configs/${otherConfig}`, { token: admin });

      const malformed = await call('GET', testPath('not-a-test-id'), { token: admin });
      expect(malformed.status).toBe(400);
      expect(malformed.json.error.details.fields).toHaveProperty('testId');
    });

    it('a test that ended without a result is failed, with the reason, and keeps the steps it reported', async () => {
      await api.deps.temporal.workflow.getHandle(workflowIds.testL1('acme', configId, testId)).terminate('operator stopped it');
      const response = await call('GET', testPath(), { token: admin });
      expect(response.json).toMatchObject({ testId, status: 'failed', reason: 'the test terminated' });
      expect(response.json.steps.map((s: { status: string }) => s.status)).toEqual(['passed', 'passed', 'pending', 'pending', 'pending', 'pending']);
      expect(response.json).not.toHaveProperty('result');
    });
  });

  it('refuses to activate until the last test passed (409 test_required)', async () => {
    const untested = await call('POST', `/api/l1/configs/${configId}/activate`, { token: admin });
    expect(untested.status).toBe(409);
    expect(untested.json.error.code).toBe('test_required');
    await api.deps.repos.l1Configs.recordTest('acme', configId, { at: new Date(), ok: false, failedStep: 'authenticated', steps: [] });
    expect((await call('POST', `/api/l1/configs/${configId}/activate`, { token: admin })).json.error.code).toBe('test_required');
  });

  it('activates after a passed test: 202 with the workflow id; activateL1 carries SLA, interval and TenantId', async () => {
    const steps = [{ step: 'reachable' as const, status: 'passed' as const, message: 'ok', durationMs: 3 }];
    await api.deps.repos.l1Configs.recordTest('acme', configId, { at: new Date(), ok: true, steps });
    const shown = await call('GET', `/api/l1/configs/${configId}`, { token: admin });
    expect(shown.json.lastTest).toMatchObject({ ok: true, steps });

    const response = await call('POST', `/api/l1/configs/${configId}/activate`, { token: admin });
    expect(response.status).toBe(202);
    expect(response.json.workflowId).toBe(workflowIds.activateL1('acme'));
    const description = await api.deps.temporal.workflow.getHandle(workflowIds.activateL1('acme')).describe();
    expect(description.type).toBe('activateL1');
    expect(description.typedSearchAttributes.get(TenantIdSearchAttribute)).toBe('acme');
    expect(await workflowInput<ActivateL1Input>(workflowIds.activateL1('acme'))).toEqual({
      tenantId: 'acme',
      configId,
      actor: { kind: 'user', id: 'admin' },
      slaMs: 111_000,
      healthIntervalMs: 2_222,
    });

    const again = await call('POST', `/api/l1/configs/${configId}/activate`, { token: admin });
    expect(again.status).toBe(409);

    const activation = await call('GET', '/api/l1/activation', { token: auditor });
    expect(activation.status).toBe(200);
    expect(activation.json).toMatchObject({ workflowId: workflowIds.activateL1('acme'), runId: response.json.runId, status: 'running' });
    expect(Date.parse(activation.json.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(typeof activation.json.step).toBe('string');
    expect((await call('GET', '/api/l1/activation', { token: otherAdmin })).status).toBe(404);
  });

  it('reports the L1 state', async () => {
    const state = await call('GET', '/api/l1', { token: auditor });
    expect(state.status).toBe(200);
    expect(state.json).toMatchObject({ status: 'inactive' });
    expect(typeof state.json.changedAt).toBe('string');
  });

  it('rotate and revoke need the tenant id typed as confirmation', async () => {
    const rotate = await call('POST', '/api/l1/rotate', { token: admin, body: { confirm: 'other' } });
    expect(rotate.status).toBe(400);
    expect(rotate.json.error.details.fields).toHaveProperty('confirm');
    const revoke = await call('POST', '/api/l1/revoke', { token: admin, body: { confirm: 'acm', reason: 'lost laptop' } });
    expect(revoke.status).toBe(400);
    expect(revoke.json.error.details.fields).toHaveProperty('confirm');
    const inactive = await call('POST', '/api/l1/rotate', { token: admin, body: { confirm: 'acme' } });
    expect(inactive.status).toBe(409);
  });

  it('revoke starts revokeL1 with the reason', async () => {
    const response = await call('POST', '/api/l1/revoke', { token: admin, body: { confirm: 'acme', reason: 'suspected compromise' } });
    expect(response.status).toBe(503); // no worker here to finish it
    const description = await api.deps.temporal.workflow.getHandle(workflowIds.revokeL1('acme')).describe();
    expect(description.type).toBe('revokeL1');
    expect(await workflowInput(workflowIds.revokeL1('acme'))).toEqual({
      tenantId: 'acme',
      actor: { kind: 'user', id: 'admin' },
      reason: 'suspected compromise',
    });
  });

  describe('deleting configurations', () => {
    const draft = async (label: string) => (await call('POST', '/api/l1/configs', { token: admin, body: awsConfig(label) })).json.id as string;

    it('deletes a draft (204, audited); it is gone from the list and for every route', async () => {
      const id = await draft('abandoned draft');
      const response = await call('DELETE', `/api/l1/configs/${id}`, { token: admin });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect((await call('GET', `/api/l1/configs/${id}`, { token: admin })).status).toBe(404);
      expect((await call('GET', '/api/l1/configs', { token: admin })).json.items.map((c: { id: string }) => c.id)).not.toContain(id);
      expect((await call('DELETE', `/api/l1/configs/${id}`, { token: admin })).status).toBe(404);
      expect(await api.deps.repos.l1Configs.collection.findOne({ _id: id })).toBeNull();
      // The audit writer batches: give it a moment to flush.
      let audit = await api.deps.audit.query('acme', { operation: 'l1.config.delete', objectId: id }, { limit: 5 });
      for (let i = 0; i < 50 && audit.items.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        audit = await api.deps.audit.query('acme', { operation: 'l1.config.delete', objectId: id }, { limit: 5 });
      }
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0]).toMatchObject({ actor: { kind: 'user', id: 'admin' }, result: 'success' });
    });

    it('409 for the active configuration and for the one the L1 key uses; 404 for another tenant’s', async () => {
      const active = await draft('active key');
      await api.deps.repos.l1Configs.markActive('acme', active);
      const refused = await call('DELETE', `/api/l1/configs/${active}`, { token: admin });
      expect(refused.status).toBe(409);
      expect(refused.json.error.code).toBe('conflict');

      const activating = await draft('being activated');
      const before = (await api.deps.repos.tenants.get('acme'))!.l1;
      await api.deps.repos.tenants.setL1State('acme', { status: 'activating', configId: activating });
      try {
        const inUse = await call('DELETE', `/api/l1/configs/${activating}`, { token: admin });
        expect(inUse.status).toBe(409);
        expect(inUse.json.error.message).toContain('activating');
      } finally {
        const { changedAt: _changedAt, ...state } = before;
        await api.deps.repos.tenants.setL1State('acme', state);
      }
      expect((await call('GET', `/api/l1/configs/${activating}`, { token: admin })).status).toBe(200);
      expect((await call('DELETE', `/api/l1/configs/${activating}`, { token: otherAdmin })).status).toBe(404);
      expect((await call('GET', `/api/l1/configs/${active}`, { token: admin })).json.state).toBe('active');
    });
  });

  it('never puts a secret in any response or log line', () => {
    const everything = [...responses, ...api.logs].join('\n');
    expect(everything).not.toContain(SECRET_ACCESS_KEY);
    expect(everything).not.toContain(SESSION_TOKEN);
    expect(api.logs.length).toBeGreaterThan(10);
  });
});
