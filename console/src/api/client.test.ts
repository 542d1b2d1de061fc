import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubFetch } from '../testing/fake-fetch';
import { ApiError, configureClient, http, withQuery } from './client';
import { auditApi, l1Api, servicesApi } from './index';

afterEach(() => {
  vi.unstubAllGlobals();
  configureClient({ getToken: () => undefined, onUnauthorized: () => {} });
});

describe('the API client', () => {
  it('sends the bearer token and JSON, and parses JSON back', async () => {
    const { calls } = stubFetch({ 'POST /api/services': { status: 201, body: { serviceId: 'svc' } } });
    configureClient({ getToken: () => 'tok', onUnauthorized: () => {} });
    await expect(servicesApi.create({ serviceId: 'svc' })).resolves.toEqual({ serviceId: 'svc' });
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/services', body: { serviceId: 'svc' } });
    expect(calls[0]?.headers).toMatchObject({ Authorization: 'Bearer tok', 'Content-Type': 'application/json' });
  });

  it('maps the error shape to a typed ApiError with field errors and Retry-After', async () => {
    stubFetch({
      'POST /api/l1/configs': { status: 400, body: { error: { code: 'invalid_request', message: 'Invalid', details: { fields: { 'settings.keyArn': 'must be a KMS key ARN' } } } } },
      'POST /api/auth/login': { status: 429, body: { error: { code: 'rate_limited', message: 'Slow down' } }, headers: { 'Retry-After': '42' } },
    });
    const error = await l1Api.createConfig({ kind: 'pkcs11', label: 'x', settings: { modulePath: '/m', keyLabel: 'k' }, secrets: { pin: '1' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', message: 'Invalid' });
    expect((error as ApiError).fieldErrors).toEqual({ 'settings.keyArn': 'must be a KMS key ARN' });

    const limited = await http.post('/api/auth/login', {}).catch((e: unknown) => e);
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 42 });
  });

  it('turns a body that is not the error shape, and a network failure, into ApiErrors too', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })));
    await expect(http.get('/api/tenant')).rejects.toMatchObject({ status: 502, code: 'http_502' });
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(http.get('/api/tenant')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('reports a 401 only for requests that carried a token', async () => {
    stubFetch({ 'GET /api/tenant': { status: 401, body: { error: { code: 'unauthenticated', message: 'expired' } } } });
    const onUnauthorized = vi.fn();
    configureClient({ getToken: () => undefined, onUnauthorized });
    await expect(http.get('/api/tenant')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).not.toHaveBeenCalled();
    configureClient({ getToken: () => 'tok', onUnauthorized });
    await expect(http.get('/api/tenant')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('builds query strings from the set values only, and encodes path ids', async () => {
    expect(withQuery('/api/audit', { actor: 'admin', result: '', cursor: undefined, crossTenant: true, limit: 50 })).toBe('/api/audit?actor=admin&crossTenant=true&limit=50');
    const { calls } = stubFetch({ 'POST /api/services/a%2Fb/certificates/01%3A02/revoke': { body: {} } });
    await servicesApi.revokeCertificate('a/b', '01:02', 'superseded');
    expect(calls[0]).toMatchObject({ url: '/api/services/a%2Fb/certificates/01%3A02/revoke', body: { reason: 'superseded' } });
  });

  it('downloads exports with the filename from Content-Disposition and without paging parameters', async () => {
    const { calls } = stubFetch({
      'GET /api/audit/export': { body: 'id,time\n', headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="audit-acme.csv"' } },
    });
    const file = await auditApi.export({ result: 'denied', cursor: 'abc', limit: 50 }, 'csv');
    expect(file.filename).toBe('audit-acme.csv');
    await expect(file.blob.text()).resolves.toBe('id,time\n');
    expect(calls[0]?.url).toBe('/api/audit/export?result=denied&format=csv');
  });
});
