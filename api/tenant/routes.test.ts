import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApi, type TestApi } from '../testing/harness.js';
import { startFerretDb, type RunningServer } from '../testing/servers.js';

// Real servers on a 2-core machine running many test files at once: allow for slow moments.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 120_000 });

let ferret: RunningServer & { uri: string };
let api: TestApi;

beforeAll(async () => {
  ferret = await startFerretDb();
  api = await startTestApi({ mongoUri: ferret.uri });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await ferret?.stop();
});

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
