/**
 * The connection test, live, through the whole stack (API → Temporal → worker → store → API):
 * the key's endpoint accepts connections but never answers a KMS call, so the test takes
 * seconds — and meanwhile the API already shows "reachable" passed while the rest is pending.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlatformKeys } from '../../../lib/secrets/index.js';
import { SIGNATURE_HEADER, signWebhook } from '../../../lib/webhooks/signature.js';
import { stack } from '../../support/stack.js';

const info = stack();
/** The KMS client gives up on the hanging call after this long; the test lasts at least that. */
const KMS_TIMEOUT_MS = 3_000;

interface TestRunBody {
  testId: string;
  status: 'running' | 'completed' | 'failed';
  steps: Array<{ step: string; status: string; message?: string }>;
  result?: { ok: boolean; failedStep?: string };
  reason?: string;
}

async function signed(method: string, route: string, body = '') {
  const secret = parsePlatformKeys(await readFile(info.secrets.webhookSecretFile, 'utf8')).current;
  const response = await fetch(`${info.api.url}${route}`, {
    method,
    headers: { [SIGNATURE_HEADER]: signWebhook(secret, body), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function call<T = Record<string, unknown>>(method: string, route: string, token?: string, body?: unknown) {
  const response = await fetch(`${info.api.url}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: (text ? JSON.parse(text) : undefined) as T };
}

async function provisionedAdmin(tenantId: string): Promise<string> {
  const event = JSON.stringify({ id: randomUUID(), type: 'tenant.created', createdAt: new Date().toISOString(), data: { tenantId } });
  expect((await signed('POST', '/webhooks/platform-mesh', event)).status).toBe(202);
  const deadline = Date.now() + 60_000;
  while ((await signed('GET', `/platform/tenants/${tenantId}`)).json?.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`${tenantId} not ready`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const credentials = (await signed('POST', `/platform/tenants/${tenantId}/credentials`)).json as { username: string; password: string };
  const login = await call<{ token: string }>('POST', '/api/auth/login', undefined, { tenantId, ...credentials });
  return login.json.token;
}

/** Answers the reachability probe (GET) at once and holds every KMS call (POST) until closed. */
let silentKms: Server;
let silentKmsUrl: string;

beforeAll(async () => {
  silentKms = createServer((request, response) => {
    if (request.method === 'GET') response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => silentKms.listen(0, '127.0.0.1', resolve));
  silentKmsUrl = `http://127.0.0.1:${(silentKms.address() as AddressInfo).port}`;
});

afterAll(async () => {
  silentKms?.closeAllConnections();
  await new Promise((resolve) => silentKms?.close(resolve));
});

describe('live connection test', { timeout: 120_000 }, () => {
  const tenantId = `live-${randomBytes(3).toString('hex')}`;

  it('shows the first step passed while a hanging keystore keeps the test running, then the failure with its reason', async () => {
    const token = await provisionedAdmin(tenantId);
    const created = await call<{ id: string }>('POST', '/api/l1/configs', token, {
      kind: 'aws-kms',
      label: 'silent KMS',
      settings: {
        keyArn: 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        endpoint: silentKmsUrl,
        timeoutMs: KMS_TIMEOUT_MS,
        maxAttempts: 1,
      },
      secrets: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) },
    });
    expect(created.status).toBe(201);
    const configId = created.json.id;

    const started = Date.now();
    const start = await call<{ testId: string }>('POST', `/api/l1/configs/${configId}/tests`, token);
    expect(start.status).toBe(202);
    // It answers long before the keystore does.
    expect(Date.now() - started).toBeLessThan(KMS_TIMEOUT_MS);
    const { testId } = start.json;

    const seen: Array<{ at: number; body: TestRunBody }> = [];
    let last: TestRunBody | undefined;
    while (Date.now() - started < 60_000) {
      const poll = await call<TestRunBody>('GET', `/api/l1/configs/${configId}/tests/${testId}`, token);
      expect(poll.status).toBe(200);
      last = poll.json;
      seen.push({ at: Date.now(), body: last });
      if (last.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }

    // While the KMS call hung: reachable already passed (with its message), the rest pending.
    const progress = seen.find(({ body }) => body.status === 'running' && body.steps[0]?.status === 'passed');
    expect(progress, 'a poll while the test ran showed the first step').toBeDefined();
    expect(progress!.body.steps[0]?.message).toContain('answered (HTTP 404)');
    expect(progress!.body.steps.slice(1).map((s) => s.status)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    expect(progress!.body).not.toHaveProperty('result');

    // Then the test finished: failed at authenticated with the timeout, the rest skipped.
    expect(last).toMatchObject({ testId, status: 'completed', result: { ok: false, failedStep: 'authenticated' } });
    expect(last!.steps.map((s) => s.status)).toEqual(['passed', 'failed', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(last!.steps[1]?.message).toContain('did not answer in time');
    const finishedAt = seen.at(-1)!.at;
    // The progress was visible well before the end, not in the same instant.
    expect(finishedAt - progress!.at).toBeGreaterThan(KMS_TIMEOUT_MS / 2);

    const config = await call<{ lastTest?: { ok: boolean; failedStep?: string } }>('GET', `/api/l1/configs/${configId}`, token);
    expect(config.json.lastTest).toMatchObject({ ok: false, failedStep: 'authenticated' });
    const activate = await call<{ error: { code: string } }>('POST', `/api/l1/configs/${configId}/activate`, token);
    expect(activate.json.error.code).toBe('test_required');

    // The failed draft can go.
    expect((await call('DELETE', `/api/l1/configs/${configId}`, token)).status).toBe(204);
    expect((await call('GET', `/api/l1/configs/${configId}/tests/${testId}`, token)).status).toBe(404);
  });
});
