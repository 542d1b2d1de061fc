import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubFetch } from '../testing/fake-fetch';
import { toAuditQuery, useAuditStore, emptyAuditFilters } from './audit';
import { useNotificationsStore } from './notifications';
import { resetTenantData } from './reset';
import { useServicesStore } from './services';
import { useTenantStore } from './tenant';
import { useUsageStore } from './usage';

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('tenant store', () => {
  it('reads GET /api/tenant, polling fast while provisioning and slowly once ready', async () => {
    vi.useFakeTimers();
    let n = 0;
    const { calls } = stubFetch({
      'GET /api/tenant': () => ({ body: { id: 'acme', status: ++n < 3 ? 'provisioning' : 'ready', l1: { status: 'inactive' } } }),
    });
    const tenant = useTenantStore();
    await tenant.watch();
    expect(tenant.tenant?.status).toBe('provisioning');
    await vi.advanceTimersByTimeAsync(4_100);
    expect(tenant.tenant?.status).toBe('ready');
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(4);
    tenant.stopWatching();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(4);
  });
});

describe('services store', () => {
  it('lists, registers, opens, issues and revokes through the services routes', async () => {
    const service = { serviceId: 'svc', createdAt: 'x', spiffeId: 'spiffe://openkcm/tenant/acme/service/svc', activeCertificates: 0 };
    const { calls } = stubFetch({
      'GET /api/services': { body: { items: [service] } },
      'POST /api/services': { status: 201, body: service },
      'GET /api/services/svc': { body: { ...service, certificates: [] } },
      'GET /api/services/svc/snippets': { body: { kmipEndpoint: 'k:5696' } },
      'POST /api/services/svc/certificates': { status: 201, body: { certificate: { serial: '01' }, certificatePem: 'c', chainPem: 'ch', privateKeyPem: 'k', pkcs12Password: 'p' } },
      'POST /api/services/svc/certificates/01/revoke': { body: { serial: '01', status: 'revoked' } },
    });
    const services = useServicesStore();
    await services.load();
    expect(services.items).toEqual([service]);
    await services.register(' svc ', '  ');
    expect(calls.find((c) => c.method === 'POST' && c.url === '/api/services')?.body).toEqual({ serviceId: 'svc' });
    await services.open('svc');
    expect(services.current?.serviceId).toBe('svc');
    expect(services.snippets?.kmipEndpoint).toBe('k:5696');
    await services.issueCertificate('svc', { generate: true });
    expect(calls.find((c) => c.url === '/api/services/svc/certificates')?.body).toEqual({ generate: true });
    expect(services.issued?.pkcs12Password).toBe('p');
    services.forgetIssued();
    expect(services.issued).toBeUndefined();
    await services.revokeCertificate('svc', '01');
    expect(calls.find((c) => c.url.endsWith('/revoke'))?.method).toBe('POST');
  });
});

describe('audit store', () => {
  it('turns filters into the query of GET /api/audit', () => {
    const filters = { ...emptyAuditFilters(), actor: ' admin ', result: 'denied' as const, crossTenant: true, from: '2026-01-01T10:00' };
    const query = toAuditQuery(filters, 25);
    expect(query).toMatchObject({ limit: 25, actor: 'admin', result: 'denied', crossTenant: true });
    expect(query.from).toBe(new Date('2026-01-01T10:00').toISOString());
    expect(query).not.toHaveProperty('operation');
  });

  it('pages forward with the API cursor and back with its own stack', async () => {
    const { calls } = stubFetch({
      'GET /api/audit': (call) => {
        const cursor = new URL(call.url, 'http://x').searchParams.get('cursor');
        const page = cursor === null ? 1 : Number(cursor);
        return { body: { items: [{ id: `e${page}` }], ...(page < 3 ? { nextCursor: String(page + 1) } : {}) } };
      },
    });
    const audit = useAuditStore();
    audit.filters.result = 'failure';
    await audit.search();
    expect(calls[0]?.url).toBe('/api/audit?limit=50&result=failure');
    await audit.next();
    await audit.next();
    expect(audit.items[0]?.id).toBe('e3');
    expect(audit.pageNumber).toBe(3);
    expect(audit.hasNext).toBe(false);
    await audit.previous();
    expect(audit.items[0]?.id).toBe('e2');
    await audit.previous();
    expect(audit.items[0]?.id).toBe('e1');
    expect(audit.hasPrevious).toBe(false);
    expect(calls.at(-1)?.url).toBe('/api/audit?limit=50&result=failure');
  });

  it('verifies the chain and exports with the applied filters', async () => {
    const { calls } = stubFetch({
      'GET /api/audit/verify': { body: { ok: false, chains: 1, records: 10, problems: ['record 7: hash mismatch'], verifiedAt: 'now' } },
      'GET /api/audit/export': { body: '[]' },
      'GET /api/audit': { body: { items: [] } },
    });
    const audit = useAuditStore();
    await audit.verify();
    expect(audit.verification?.problems).toEqual(['record 7: hash mismatch']);
    audit.filters.operation = 'l1.activate';
    await audit.search();
    await audit.exportAs('json');
    expect(calls.at(-1)?.url).toBe('/api/audit/export?operation=l1.activate&format=json');
  });
});

describe('notifications and usage stores', () => {
  it('counts unread notifications and marks them read', async () => {
    const { calls } = stubFetch({
      'GET /api/notifications': { body: { items: [{ id: 'a', createdAt: '1' }, { id: 'b', createdAt: '2', readAt: '3' }, { id: 'c', createdAt: '3' }] } },
      'POST /api/notifications/a/read': { status: 204 },
      'POST /api/notifications/read-all': { body: { marked: 1 } },
    });
    const notes = useNotificationsStore();
    await notes.load();
    expect(notes.unreadCount).toBe(2);
    expect(notes.sorted.map((n) => n.id)).toEqual(['c', 'b', 'a']);
    await notes.markRead('a');
    expect(notes.unreadCount).toBe(1);
    await notes.markAllRead();
    expect(notes.unreadCount).toBe(0);
    // "Mark all read" is one request, whatever the number of unread notifications.
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual(['/api/notifications/a/read', '/api/notifications/read-all']);
    expect(notes.items.find((n) => n.id === 'b')?.readAt).toBe('3');
  });

  it('asks GET /api/usage for the chosen window', async () => {
    const { calls } = stubFetch({ 'GET /api/usage': { body: { series: [] } } });
    const usage = useUsageStore();
    await usage.load(180);
    expect(calls[0]?.url).toBe('/api/usage?minutes=180');
    expect(usage.minutes).toBe(180);
  });

  it('forgets every tenant\'s data when a session ends', async () => {
    stubFetch({ 'GET /api/services': { body: { items: [{ serviceId: 'a' }] } }, 'GET /api/notifications': { body: { items: [{ id: 'n' }] } } });
    await useServicesStore().load();
    await useNotificationsStore().load();
    resetTenantData();
    expect(useServicesStore().items).toEqual([]);
    expect(useNotificationsStore().items).toEqual([]);
  });
});
