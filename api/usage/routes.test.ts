import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/use-test-api.js';

const api = useTestApi({ now: () => now });
let auditor: string;
const now = new Date('2026-11-28T12:10:30Z');

beforeAll(async () => {
  ({ auditorToken: auditor } = await api.tenantWithUsers('acme'));
  const kmip = (tenantId: string, iso: string, latencyMs: number, result: 'success' | 'failure' = 'success') =>
    api.deps.audit.record({
      tenantId,
      actor: { kind: 'service', id: `spiffe://openkcm/tenant/${tenantId}/service/mongodb` },
      operation: 'kmip.Get',
      result,
      latencyMs,
      time: new Date(iso),
    });
  await kmip('acme', '2026-11-28T12:09:01Z', 1);
  await kmip('acme', '2026-11-28T12:09:02Z', 2);
  await kmip('acme', '2026-11-28T12:09:03Z', 40, 'failure');
  await kmip('acme', '2026-11-28T12:10:05Z', 4);
  await kmip('acme', '2026-11-28T11:00:00Z', 9); // outside a 5-minute window
  await kmip('other', '2026-11-28T12:10:06Z', 500);
  // Not KMIP traffic: a console login.
  await api.deps.audit.record({ tenantId: 'acme', actor: { kind: 'user', id: 'admin' }, operation: 'auth.login', result: 'success', time: new Date('2026-11-28T12:10:07Z') });
  await new Promise((r) => setTimeout(r, 200));
}, 120_000);

describe('GET /api/usage', () => {
  it('aggregates the tenant’s KMIP operations per minute', async () => {
    const response = await api.request('GET', '/api/usage?minutes=5', { token: auditor });
    expect(response.status).toBe(200);
    expect(response.json.series.map((b: { minute: string }) => b.minute)).toEqual([
      '2026-11-28T12:06:00.000Z',
      '2026-11-28T12:07:00.000Z',
      '2026-11-28T12:08:00.000Z',
      '2026-11-28T12:09:00.000Z',
      '2026-11-28T12:10:00.000Z',
    ]);
    expect(response.json.series[3]).toEqual({ minute: '2026-11-28T12:09:00.000Z', operations: 3, errors: 1, p50Ms: 2, p99Ms: 40 });
    expect(response.json.series[4]).toMatchObject({ operations: 1, errors: 0, p50Ms: 4 });
    expect(response.json.totals).toEqual({ operations: 4, errors: 1, p50Ms: 2, p99Ms: 40 });
  });

  it('defaults to 60 minutes and validates the window', async () => {
    const response = await api.request('GET', '/api/usage', { token: auditor });
    expect(response.json.series).toHaveLength(60);
    expect(response.json.totals.operations).toBe(4);
    const bad = await api.request('GET', '/api/usage?minutes=100000', { token: auditor });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.fields).toHaveProperty('minutes');
  });
});
