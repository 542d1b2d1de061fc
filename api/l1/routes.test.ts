import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TenantIdSearchAttribute, workflowIds, type ActivateL1Input, type TestL1Input } from '../../workflows/contracts.js';
import { startTestApi, type TestApi } from '../testing/harness.js';
import { startFerretDb, startTemporal, type RunningServer } from '../testing/servers.js';

// Real servers on a 2-core machine running many test files at once: allow for slow moments.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 120_000 });

let ferret: RunningServer & { uri: string };
let temporal: RunningServer & { address: string };
let api: TestApi;
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
  [ferret, temporal] = await Promise.all([startFerretDb(), startTemporal()]);
  api = await startTestApi({
    mongoUri: ferret.uri,
    temporalAddress: temporal.address,
    config: { workflowWaitMs: 1_500, activationSlaMs: 111_000, healthIntervalMs: 2_222 },
  });
  ({ adminToken: admin, auditorToken: auditor } = await api.tenantWithUsers('acme'));
  ({ adminToken: otherAdmin } = await api.tenantWithUsers('other'));
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await Promise.all([ferret?.stop(), temporal?.stop()]);
});

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
    expect(await workflowInput<TestL1Input>(runs[0]!.workflowId)).toEqual({ tenantId: 'acme', configId, actor: { kind: 'user', id: 'admin' } });
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

  it('never puts a secret in any response or log line', () => {
    const everything = [...responses, ...api.logs].join('\n');
    expect(everything).not.toContain(SECRET_ACCESS_KEY);
    expect(everything).not.toContain(SESSION_TOKEN);
    expect(api.logs.length).toBeGreaterThan(10);
  });
});
