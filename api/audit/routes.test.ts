import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/use-test-api.js';
import { auditRecords, tamperAuditChain } from '../../tests/support/audit-records.js';

const api = useTestApi();
let auditor: string;
let otherAdmin: string;

const service = (tenant: string, id: string) => ({ kind: 'service' as const, id: `spiffe://openkcm/tenant/${tenant}/service/${id}` });

beforeAll(async () => {
  ({ auditorToken: auditor } = await api.tenantWithUsers('acme'));
  ({ adminToken: otherAdmin } = await api.tenantWithUsers('other'));
  const base = Date.now() - 60_000;
  for (let i = 0; i < 12; i++) {
    await api.deps.audit.record({
      tenantId: 'acme',
      actor: service('acme', i % 2 ? 'orders' : 'mongodb'),
      operation: i % 3 ? 'kmip.Get' : 'kmip.Create',
      result: i === 5 ? 'denied' : 'success',
      objectId: `obj-${i}`,
      ...(i === 5 ? { crossTenant: true, reason: 'object of another tenant' } : {}),
      ...(i === 7 ? { reason: '=HYPERLINK("http://evil")' } : {}),
      latencyMs: i,
      details: { seq: i, note: 'plain, with comma' },
      time: new Date(base + i * 1000),
    });
  }
  await api.deps.audit.record({ tenantId: 'other', actor: service('other', 'mongodb'), operation: 'kmip.Get', result: 'success', objectId: 'secret-of-other' });
  await new Promise((r) => setTimeout(r, 200));
}, 120_000);

describe('GET /api/audit', () => {
  it('lists the tenant’s events newest first and pages with a cursor', async () => {
    const first = await api.request('GET', '/api/audit?operation=kmip.Get&limit=3', { token: auditor });
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(3);
    expect(first.json.nextCursor).toBeTruthy();
    const ids = first.json.items.map((e: { objectId: string }) => e.objectId);
    expect(ids).toEqual(['obj-11', 'obj-10', 'obj-8']);
    const seen = [...ids];
    let cursor = first.json.nextCursor as string | undefined;
    while (cursor) {
      const page = await api.request('GET', `/api/audit?operation=kmip.Get&limit=3&cursor=${encodeURIComponent(cursor)}`, { token: auditor });
      seen.push(...page.json.items.map((e: { objectId: string }) => e.objectId));
      cursor = page.json.nextCursor;
    }
    expect(seen).toEqual(['obj-11', 'obj-10', 'obj-8', 'obj-7', 'obj-5', 'obj-4', 'obj-2', 'obj-1']);
  });

  it('filters by service, result, cross-tenant flag and time', async () => {
    const orders = await api.request('GET', '/api/audit?serviceId=orders', { token: auditor });
    expect(orders.json.items).toHaveLength(6);
    expect(orders.json.items.every((e: { serviceId: string }) => e.serviceId === 'orders')).toBe(true);
    const denied = await api.request('GET', '/api/audit?result=denied&crossTenant=true', { token: auditor });
    expect(denied.json.items.map((e: { objectId: string }) => e.objectId)).toEqual(['obj-5']);
    expect(denied.json.items[0]).toMatchObject({ crossTenant: true, reason: 'object of another tenant' });
    const recent = await api.request('GET', `/api/audit?operation=kmip.Create&from=${encodeURIComponent(new Date(Date.now() - 52_000).toISOString())}`, { token: auditor });
    expect(recent.json.items.map((e: { objectId: string }) => e.objectId)).toEqual(['obj-9']);
  });

  it('never shows another tenant’s events', async () => {
    const all = await api.request('GET', '/api/audit?limit=500', { token: auditor });
    expect(all.text).not.toContain('secret-of-other');
    const theirs = await api.request('GET', '/api/audit?objectId=obj-1', { token: otherAdmin });
    expect(theirs.json.items).toEqual([]);
  });

  it('400 for bad filters and a forged cursor', async () => {
    const bad = await api.request('GET', '/api/audit?limit=0&result=maybe&from=yesterday', { token: auditor });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.details.fields).sort()).toEqual(['from', 'limit', 'result']);
    const forged = await api.request('GET', '/api/audit?cursor=AAAA', { token: auditor });
    expect(forged.status).toBe(400);
  });
});

describe('GET /api/audit/export', () => {
  it('streams CSV with a header, one row per event, spreadsheet formulas defused', async () => {
    const response = await api.request('GET', '/api/audit/export?format=csv&actor=spiffe://openkcm/tenant/acme/service/orders', { token: auditor });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="audit-acme-.*\.csv"/);
    const lines = response.text.trimEnd().split('\r\n');
    expect(lines[0]).toContain('operation');
    expect(lines).toHaveLength(7);
    expect(response.text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(response.text).not.toContain('secret-of-other');
  });

  it('streams a JSON array (and JSON lines on request)', async () => {
    const json = await api.request('GET', '/api/audit/export?format=json&operation=kmip.Create', { token: auditor });
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(json.json.map((e: { objectId: string }) => e.objectId)).toEqual(['obj-0', 'obj-3', 'obj-6', 'obj-9']);
    const empty = await api.request('GET', '/api/audit/export?format=json&operation=nothing.here', { token: auditor });
    expect(empty.json).toEqual([]);
    const jsonl = await api.request('GET', '/api/audit/export?format=jsonl&operation=kmip.Create', { token: auditor });
    expect(jsonl.text.trim().split('\n')).toHaveLength(4);
  });
});

describe('GET /api/audit/verify', () => {
  it('verifies the chain, then names an altered record of this tenant', async () => {
    const ok = await api.request('GET', '/api/audit/verify', { token: auditor });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, problems: [] });
    expect(ok.json.records).toBeGreaterThanOrEqual(12);
    expect(ok.json.chains).toBe(1);

    const [victim] = await auditRecords(api.db, { tenantId: 'acme', objectId: 'obj-5' });
    await tamperAuditChain(api.db, victim!.chainId, (records) => records.map((r) => (r._id.equals(victim!._id) ? { ...r, result: 'success' } : r)));

    const broken = await api.request('GET', '/api/audit/verify', { token: auditor });
    expect(broken.json.ok).toBe(false);
    expect(broken.json.problems.map((p: { recordId?: string }) => p.recordId)).toContain(victim!._id.toHexString());
    expect(broken.json.problems[0].problem).toMatch(/^altered/);

    const theirs = await api.request('GET', '/api/audit/verify', { token: otherAdmin });
    expect(theirs.json.ok).toBe(true);
  });
});
