import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../lib/webhooks/signature.js';
import { TenantIdSearchAttribute, workflowIds, type OffboardTenantInput, type ProvisionTenantInput } from '../../workflows/contracts.js';
import { useTestApi } from '../testing/use-test-api.js';

const api = useTestApi({ temporal: true, config: { provisionSlaMs: 123_000 } });

function event(type: 'tenant.created' | 'tenant.deleted', tenantId: string, id = randomUUID()) {
  return JSON.stringify({ id, type, createdAt: new Date().toISOString(), data: { tenantId, displayName: `Tenant ${tenantId}` } });
}

function post(body: string, signature = signWebhook(api.webhookSecret, body)) {
  return api.request('POST', '/webhooks/platform-mesh', { rawBody: body, headers: { 'x-openkcm-signature': signature } });
}

async function workflowInput<T>(workflowId: string): Promise<T> {
  const history = await api.deps.temporal.workflow.getHandle(workflowId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  return JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as T;
}

describe('POST /webhooks/platform-mesh', () => {
  it('tenant.created starts provisionTenant with the contract id, input, SLA and TenantId search attribute', async () => {
    const eventId = randomUUID();
    const response = await post(event('tenant.created', 'acme', eventId));
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ accepted: true, workflowId: workflowIds.provision('acme') });

    const description = await api.deps.temporal.workflow.getHandle(workflowIds.provision('acme')).describe();
    expect(description.type).toBe('provisionTenant');
    expect(description.taskQueue).toBe(api.deps.config.taskQueue);
    expect(description.typedSearchAttributes.get(TenantIdSearchAttribute)).toBe('acme');
    expect(await workflowInput<ProvisionTenantInput>(workflowIds.provision('acme'))).toEqual({
      tenantId: 'acme',
      displayName: 'Tenant acme',
      eventId,
      slaMs: 123_000,
    });
  });

  it('ignores a replayed event (200 duplicate) and starts only one workflow', async () => {
    const body = event('tenant.created', 'replayed');
    const first = await post(body);
    expect(first.status).toBe(202);
    const second = await post(body);
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ accepted: false, duplicate: true, workflowId: workflowIds.provision('replayed') });

    // A different event for the same tenant while provisioning runs attaches to the same run.
    const third = await post(event('tenant.created', 'replayed'));
    expect(third.status).toBe(202);

    const runs = [];
    for await (const run of api.deps.temporal.workflow.list({ query: `WorkflowId = "${workflowIds.provision('replayed')}"` })) runs.push(run);
    expect(runs).toHaveLength(1);
    const stored = await api.deps.repos.webhookEvents.collection.countDocuments({ tenantId: 'replayed' });
    expect(stored).toBe(2);
  });

  it('tenant.deleted starts offboardTenant as the platform', async () => {
    const eventId = randomUUID();
    const response = await post(event('tenant.deleted', 'gone', eventId));
    expect(response.status).toBe(202);
    expect(response.json.workflowId).toBe(workflowIds.offboard('gone'));
    const description = await api.deps.temporal.workflow.getHandle(workflowIds.offboard('gone')).describe();
    expect(description.type).toBe('offboardTenant');
    expect(description.typedSearchAttributes.get(TenantIdSearchAttribute)).toBe('gone');
    expect(await workflowInput<OffboardTenantInput>(workflowIds.offboard('gone'))).toEqual({
      tenantId: 'gone',
      eventId,
      actor: { kind: 'platform', id: 'platform-mesh' },
    });
  });

  it('401 for a missing, wrong or tampered signature, and starts nothing', async () => {
    const body = event('tenant.created', 'unsigned');
    expect((await api.request('POST', '/webhooks/platform-mesh', { rawBody: body })).status).toBe(401);
    const wrongKey = await post(body, signWebhook(Buffer.from('another-secret-of-some-length'), body));
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.json.error).toMatchObject({ code: 'unauthenticated', details: { reason: 'mismatch' } });
    const tampered = await post(body.replace('unsigned', 'tampered'), signWebhook(api.webhookSecret, body));
    expect(tampered.status).toBe(401);
    await expect(api.deps.temporal.workflow.getHandle(workflowIds.provision('unsigned')).describe()).rejects.toThrow();
  });

  it('accepts a signature by an earlier secret listed for rotation', async () => {
    const previous = Buffer.alloc(32, 7);
    const body = event('tenant.created', 'rotating');
    expect((await post(body, signWebhook(previous, body))).status).toBe(401);
    api.deps.config.webhook.secrets.push(previous);
    try {
      expect((await post(body, signWebhook(previous, body))).status).toBe(202);
    } finally {
      api.deps.config.webhook.secrets.pop();
    }
  });

  it('401 for a timestamp outside the tolerance, even when correctly signed', async () => {
    const body = event('tenant.created', 'stale');
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const response = await post(body, signWebhook(api.webhookSecret, body, tenMinutesAgo));
    expect(response.status).toBe(401);
    expect(response.json.error.details.reason).toBe('expired');
  });

  it('400 naming the fields for a signed but invalid event, and for malformed JSON', async () => {
    const invalid = JSON.stringify({ id: '', type: 'tenant.renamed', createdAt: 'yesterday', data: { tenantId: 'Bad Tenant' } });
    const response = await post(invalid);
    expect(response.status).toBe(400);
    expect(Object.keys(response.json.error.details.fields).sort()).toEqual(['createdAt', 'data.tenantId', 'id', 'type']);
    const malformed = await post('{"id": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.details.fields).toEqual({ body: 'is not valid JSON' });
  });
});
