import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/use-test-api.js';

const api = useTestApi();

describe('GET /api/tenant', () => {
  it('shows the caller’s own tenant with its L1 state', async () => {
    const { auditorToken } = await api.tenantWithUsers('acme');
    await api.tenantWithUsers('other');
    await api.deps.repos.tenants.setL1State('acme', { status: 'error', reason: 'key disabled in AWS KMS', configId: 'c1', currentL2Version: 2 });
    const response = await api.request('GET', '/api/tenant', { token: auditorToken });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: 'acme',
      displayName: 'Tenant acme',
      status: 'ready',
      l1: { status: 'error', reason: 'key disabled in AWS KMS', configId: 'c1', currentL2Version: 2 },
      services: { total: 0 },
      kmip: { endpoint: 'kmip.openkcm.test:5696' },
    });
    expect(response.json.provisioningDurationMs).toBeGreaterThanOrEqual(0);
    expect(response.text).not.toContain('other');
  });

  it('is 401 without a token', async () => {
    expect((await api.request('GET', '/api/tenant')).status).toBe(401);
  });
});
