import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/use-test-api.js';

const api = useTestApi();
let auditor: string;
let otherAdmin: string;

beforeAll(async () => {
  ({ auditorToken: auditor } = await api.tenantWithUsers('acme'));
  ({ adminToken: otherAdmin } = await api.tenantWithUsers('other'));
}, 120_000);

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

  it('marks every unread notification of the caller’s tenant read at once, leaving other tenants’ and earlier reads alone', async () => {
    const { notifications } = api.deps.repos;
    const readEarlier = await notifications.insertIfAbsent({ tenantId: 'acme', kind: 'l2-rotated', title: 'Rotated', message: 'v2', dedupeKey: 'b1' });
    await notifications.markRead('acme', readEarlier._id, new Date('2026-01-01T00:00:00Z'));
    await notifications.insertIfAbsent({ tenantId: 'acme', kind: 'l1-error', title: 'L1 error', message: 'down', dedupeKey: 'b2' });
    await notifications.insertIfAbsent({ tenantId: 'acme', kind: 'l1-recovered', title: 'L1 recovered', message: 'up', dedupeKey: 'b3' });
    const theirs = await notifications.insertIfAbsent({ tenantId: 'other', kind: 'l1-error', title: 'Other', message: 'theirs', dedupeKey: 'o2' });
    const unreadBefore = (await api.request('GET', '/api/notifications', { token: auditor })).json.items.filter((n: { readAt?: string }) => !n.readAt);
    expect(unreadBefore.length).toBeGreaterThanOrEqual(2);

    const response = await api.request('POST', '/api/notifications/read-all', { token: auditor });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ marked: unreadBefore.length });

    const after = (await api.request('GET', '/api/notifications', { token: auditor })).json.items as Array<{ id: string; readAt?: string }>;
    expect(after.every((n) => typeof n.readAt === 'string')).toBe(true);
    expect(after.find((n) => n.id === readEarlier._id)?.readAt).toBe('2026-01-01T00:00:00.000Z');
    expect((await notifications.get(theirs._id))?.readAt).toBeUndefined();

    expect((await api.request('POST', '/api/notifications/read-all', { token: auditor })).json).toEqual({ marked: 0 });
    expect((await api.request('POST', '/api/notifications/read-all')).status).toBe(401);
  });
});
