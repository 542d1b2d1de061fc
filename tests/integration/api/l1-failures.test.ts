/**
 * What the administrator sees when the customer's key is not usable, through the API and CLI
 * against the running stack: the connection test names the failing step, activation is
 * refused until a test passes, and a replayed Platform Mesh event changes nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signWebhook } from '../../../lib/webhooks/signature.js';
import { parsePlatformKeys } from '../../../lib/secrets/index.js';
import { stack } from '../../support/stack.js';

const info = stack();
const webhookSecretFile = info.secrets.webhookSecretFile;

async function secret(): Promise<Buffer> {
  return parsePlatformKeys(await readFile(webhookSecretFile, 'utf8')).current;
}

async function signed(method: string, route: string, body = '') {
  const response = await fetch(`${info.api.url}${route}`, {
    method,
    headers: { [SIGNATURE_HEADER]: signWebhook(await secret(), body), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function call(method: string, route: string, token?: string, body?: unknown) {
  const response = await fetch(`${info.api.url}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function waitReady(tenantId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const tenant = await signed('GET', `/platform/tenants/${tenantId}`);
    if (tenant.json?.status === 'ready') return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${tenantId} not ready`);
}

describe('L1 failures and replayed events', { timeout: 120_000 }, () => {
  const tenantId = `failing-${randomBytes(3).toString('hex')}`;
  let token: string;

  it('a replayed tenant.created is acknowledged as a duplicate and provisions once', async () => {
    const event = JSON.stringify({ id: randomUUID(), type: 'tenant.created', createdAt: new Date().toISOString(), data: { tenantId } });
    const first = await signed('POST', '/webhooks/platform-mesh', event);
    expect(first.status).toBe(202);
    await waitReady(tenantId);
    const replay = await signed('POST', '/webhooks/platform-mesh', event);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ accepted: false, duplicate: true, workflowId: first.json!.workflowId });

    const credentials = await signed('POST', `/platform/tenants/${tenantId}/credentials`);
    expect(credentials.status).toBe(200);
    const login = await call('POST', '/api/auth/login', undefined, { tenantId, ...(credentials.json as { username: string; password: string }) });
    token = login.json!.token as string;
    const services = await call('GET', '/api/services', token);
    expect((services.json!.items as unknown[]).length).toBe(1);
  });

  it('a disabled KMS key fails the test at "enabled", and activation is refused until a test passes', async () => {
    const kms = new KMSClient({
      endpoint: info.localKms.endpoint,
      region: info.localKms.region,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) },
    });
    const key = await kms.send(new CreateKeyCommand({ Description: 'disabled L1' }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyMetadata!.KeyId! }));
    kms.destroy();

    const created = await call('POST', '/api/l1/configs', token, {
      kind: 'aws-kms',
      label: 'disabled',
      settings: { keyArn: key.KeyMetadata!.Arn!, endpoint: info.localKms.endpoint },
      secrets: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) },
    });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;

    const test = await call('POST', `/api/l1/configs/${id}/test`, token);
    expect(test.status).toBe(200);
    expect(test.json).toMatchObject({ ok: false, failedStep: 'enabled' });
    const steps = test.json!.steps as Array<{ step: string; status: string }>;
    expect(steps.find((s) => s.step === 'enabled')?.status).toBe('failed');
    expect(steps.find((s) => s.step === 'round-trip')?.status).toBe('skipped');

    const activate = await call('POST', `/api/l1/configs/${id}/activate`, token);
    expect(activate.status).toBe(409);
    expect((activate.json!.error as { code: string }).code).toBe('test_required');
    expect((await call('GET', '/api/l1', token)).json).toMatchObject({ status: 'inactive' });
  });
});
