import { randomUUID } from 'node:crypto';
import { call } from '../../cli/http.js';
import { loadOrCreatePlatformKey } from '../../lib/secrets/index.js';
import type { StackInfo } from '../../devstack/stack-info.js';

/**
 * The story's first two journeys through the public API, as Platform Mesh and the tenant
 * administrator do them: signed "tenant created" webhook → Ready → first login → AWS KMS L1
 * on local-kms → test → activate → a MongoDB service certificate. Used by the demo, the
 * MongoDB benchmark and end-to-end tests, so they all start from a real onboarded tenant.
 */
export interface OnboardedTenant {
  tenantId: string;
  token: string;
  l1ConfigId: string;
  l2Version: number;
  service: { serviceId: string; certificatePem: string; chainPem: string; caPem: string; privateKeyPem: string };
}

export type Progress = (line: string) => void;

export async function platformSecret(stack: StackInfo): Promise<Buffer> {
  return (await loadOrCreatePlatformKey(stack.secrets.webhookSecretFile)).current;
}

export async function onboardTenant(stack: StackInfo, tenantId: string, serviceId: string, progress: Progress = () => undefined): Promise<OnboardedTenant> {
  const api = stack.api.url;
  const secret = await platformSecret(stack);
  const started = Date.now();
  const event = { id: randomUUID(), type: 'tenant.created', createdAt: new Date().toISOString(), data: { tenantId, displayName: tenantId } };
  await call(api, 'POST', '/webhooks/platform-mesh', { body: event, signWith: secret });
  progress(`Platform Mesh: tenant.created for ${tenantId} (signed webhook, event ${event.id})`);
  await waitFor(async () => {
    const { status, body } = await call<{ status: string }>(api, 'GET', `/platform/tenants/${tenantId}`, { signWith: secret, accept: [404] });
    return status === 200 && body.status === 'ready';
  });
  progress(`OpenKCM ready for ${tenantId} in ${Date.now() - started} ms`);

  const { body: credentials } = await call<{ username: string; password: string }>(api, 'POST', `/platform/tenants/${tenantId}/credentials`, { signWith: secret });
  const { body: session } = await call<{ token: string }>(api, 'POST', '/api/auth/login', { body: { tenantId, ...credentials } });
  const token = session.token;

  const { body: config } = await call<{ id: string }>(api, 'POST', '/api/l1/configs', {
    token,
    body: {
      kind: 'aws-kms',
      label: 'AWS KMS (local-kms demo key)',
      settings: { keyArn: stack.localKms.demoKeyArn, endpoint: stack.localKms.endpoint },
      secrets: { accessKeyId: 'AKIAOPENKCMDEMO00001', secretAccessKey: 'local-kms-accepts-any-secret-0000' },
    },
  });
  const { body: test } = await call<{ ok: boolean; failedStep?: string }>(api, 'POST', `/api/l1/configs/${config.id}/test`, { token });
  if (!test.ok) throw new Error(`L1 connection test failed at ${test.failedStep}`);
  progress(`L1 key ${stack.localKms.demoKeyArn}: connection test passed (6 steps)`);
  const { body: activation } = await call<{ runId: string }>(api, 'POST', `/api/l1/configs/${config.id}/activate`, { token });
  let l2Version = 0;
  await waitFor(async () => {
    const { body } = await call<{ runId: string; status: string; result?: { ok: boolean; l2Version?: number; reason?: string } }>(api, 'GET', '/api/l1/activation', { token });
    if (body.runId !== activation.runId || body.status === 'running') return false;
    if (!body.result?.ok) throw new Error(`activation failed: ${body.result?.reason ?? body.status}`);
    l2Version = body.result.l2Version ?? 0;
    return true;
  });
  progress(`L1 key Active; tenant key (L2) version ${l2Version} wrapped by it`);

  await call(api, 'POST', '/api/services', { token, body: { serviceId, description: 'MongoDB service' }, accept: [409] });
  const { body: issued } = await call<{ certificatePem: string; chainPem: string; caPem: string; privateKeyPem: string; certificate: { serial: string } }>(
    api,
    'POST',
    `/api/services/${serviceId}/certificates`,
    { token, body: { generate: true } },
  );
  progress(`service ${serviceId}: certificate ${issued.certificate.serial} (spiffe://openkcm/tenant/${tenantId}/service/${serviceId})`);
  return { tenantId, token, l1ConfigId: config.id, l2Version, service: { serviceId, ...issued } };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting for OpenKCM');
}
