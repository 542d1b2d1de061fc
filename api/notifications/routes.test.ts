import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApi, type TestApi } from '../testing/harness.js';
import { startFerretDb, type RunningServer } from '../testing/servers.js';

// Real servers on a 2-core machine running many test files at once: allow for slow moments.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 120_000 });

let ferret: RunningServer & { uri: string };
let api: TestApi;
let auditor: string;
let otherAdmin: string;

beforeAll(async () => {
  ferret = await startFerretDb();
  api = await startTestApi({ mongoUri: ferret.uri });
  ({ auditorToken: auditor } = await api.tenantWithUsers('acme'));
  ({ adminToken: otherAdmin } = await api.tenantWithUsers('other'));
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await ferret?.stop();
});

describe('notifications', () => {
  it('lists the tenant’s notifications newest first and marks one read', async () => {
    const { notifications } = api.deps.repos;
    const older = await notifications.insertIfAbsent(
      { tenantId: 'acme', kind: 'console-available', title: 'OpenKCM is ready', message: 'Console available', dedupeKey: 'a1' },
      new Date(Date.now() - 60_000),
    );
    const newer = await notifications.insertIfAbsent({ tenantId: 'acme', kind: 'l1-activated', title: 'L1 key is active', message: 'v1', dedupeKey: 'a2' });
    await notifications.insertIfAbsent({ tenantId: 'other', kind: 'l1-error', title: 'Other', message: 'theirs', dedupeKey: 'o1' });

    const list = await api.request('GET', '/api/notifications', { token: auditor });
    expect(list.status).toBe(200);
    expect(list.json.items.map((n: { id: string }) => n.id)).toEqual([newer._id, older._id]);
    expect(list.json.items[0]).toEqual({
      id: newer._id,
      kind: 'l1-activated',
      title: 'L1 key is active',
      message: 'v1',
      createdAt: newer.createdAt.toISOString(),
    });

    expect((await api.request('POST', `/api/notifications/${older._id}/read`, { token: otherAdmin })).status).toBe(404);
    const read = await api.request('POST', `/api/notifications/${older._id}/read`, { token: auditor });
    expect(read.status).toBe(204);
    expect(read.text).toBe('');
    const after = await api.request('GET', '/api/notifications?limit=1', { token: auditor });
    expect(after.json.items).toHaveLength(1);
    const again = await api.request('GET', '/api/notifications', { token: auditor });
    expect(typeof again.json.items[1].readAt).toBe('string');
    expect((await api.request('POST', '/api/notifications/nosuch/read', { token: auditor })).status).toBe(404);
  });
});
