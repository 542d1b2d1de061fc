import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../lib/webhooks/signature.js';
import { useTestApi } from '../testing/use-test-api.js';

const api = useTestApi();

const signed = (body = '') => ({ 'x-openkcm-signature': signWebhook(api.webhookSecret, body) });

describe('platform endpoints', () => {
  it('GET /platform/tenants/:id returns the overview when signed over the empty body', async () => {
    await api.seedTenant('acme');
    const response = await api.request('GET', '/platform/tenants/acme', { headers: signed() });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: 'acme',
      status: 'ready',
      l1: { status: 'inactive' },
      services: { total: 0 },
      kmip: { endpoint: 'kmip.openkcm.test:5696' },
    });
    expect(typeof response.json.provisioningDurationMs).toBe('number');
    expect((await api.request('GET', '/platform/tenants/nosuch', { headers: signed() })).status).toBe(404);
  });

  it('401 without a signature or with a bearer token instead', async () => {
    expect((await api.request('GET', '/platform/tenants/acme')).status).toBe(401);
    const password = await api.createUser('acme', 'alice', 'admin');
    const token = await api.login('acme', 'alice', password);
    expect((await api.request('GET', '/platform/tenants/acme', { token })).status).toBe(401);
  });

  it('hands over the initial administrator credentials exactly once', async () => {
    await api.seedTenant('fresh');
    await api.deps.repos.users.createIfAbsent('fresh', 'admin', 'admin');
    const first = await api.request('POST', '/platform/tenants/fresh/credentials', { headers: signed() });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.json.username).toBe('admin');
    expect(first.json.password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const second = await api.request('POST', '/platform/tenants/fresh/credentials', { headers: signed() });
    expect(second.status).toBe(404);

    const login = await api.request('POST', '/api/auth/login', { body: { tenantId: 'fresh', username: 'admin', password: first.json.password } });
    expect(login.status).toBe(200);
    expect(api.logs.join('\n')).not.toContain(first.json.password);
  });

  it('signs a POST body too: a body other than the signed one is refused', async () => {
    await api.seedTenant('other');
    await api.deps.repos.users.createIfAbsent('other', 'admin', 'admin');
    const response = await api.request('POST', '/platform/tenants/other/credentials', { rawBody: '{}', headers: signed('') });
    expect(response.status).toBe(401);
    const ok = await api.request('POST', '/platform/tenants/other/credentials', { rawBody: '{}', headers: signed('{}') });
    expect(ok.status).toBe(200);
  });
});
