import { describe, expect, it } from 'vitest';
import { openApiPath } from '../http/openapi.js';
import { useTestApi } from '../testing/use-test-api.js';

const api = useTestApi();

describe('operations endpoints', () => {
  it('GET /healthz', async () => {
    const response = await api.request('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
  });

  it('GET /metrics counts requests by route pattern, not raw path', async () => {
    await api.request('GET', '/api/l1/configs/some-id');
    await api.request('GET', '/api/nope');
    const response = await api.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(response.text).toContain('openkcm_http_requests_total{method="GET",route="/api/l1/configs/:id",status="401"} 1');
    expect(response.text).toContain('openkcm_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(response.text).toContain('openkcm_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"');
    expect(response.text).not.toContain('some-id');
  });

  it('every answer carries a request id and protective headers; API answers are not cached', async () => {
    const response = await api.request('GET', '/api/tenant', { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(api.logs.some((line) => line.includes('"requestId":"trace-123"'))).toBe(true);
    const generated = await api.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('unknown API routes are JSON 404s, wrong methods 405, never the console page', async () => {
    const missing = await api.request('GET', '/api/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
    const wrongMethod = await api.request('DELETE', '/api/tenant');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json.error.code).toBe('method_not_allowed');
  });
});

describe('GET /api/openapi.json', () => {
  it('is OpenAPI 3.1 and documents every route the router serves', async () => {
    const response = await api.request('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = response.json;
    expect(doc.openapi).toBe('3.1.0');
    const layers = api.app.router.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => ({ method: m.toLowerCase(), path: String(layer.path) })),
    );
    expect(layers.length).toBeGreaterThan(30);
    for (const { method, path } of layers) {
      expect(doc.paths[openApiPath(path)]?.[method], `${method} ${path}`).toBeDefined();
    }
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented).toHaveLength(layers.length);
  });

  it('describes request bodies, path parameters, responses and security from the zod schemas', async () => {
    const doc = (await api.request('GET', '/api/openapi.json')).json;
    const create = doc.paths['/api/l1/configs'].post;
    const variants = create.requestBody.content['application/json'].schema.oneOf;
    expect(variants.map((v: { properties: { kind: { const: string } } }) => v.properties.kind.const)).toEqual(['aws-kms', 'azure-keyvault', 'pkcs11', 'kmip']);
    expect(Object.keys(variants[0].properties.secrets.properties)).toEqual(['accessKeyId', 'secretAccessKey', 'sessionToken']);
    expect(variants[2].properties.settings.properties.slot.type).toBe('integer');
    expect(create.responses['201'].content['application/json'].schema.properties.secretsConfigured.type).toBe('array');
    expect(create.responses['201'].content['application/json'].schema.properties).not.toHaveProperty('secrets');
    expect(create.responses['403']).toBeDefined();
    expect(create.security).toEqual([{ bearer: [] }]);
    const getConfig = doc.paths['/api/l1/configs/{id}'].get;
    expect(getConfig.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    const audit = doc.paths['/api/audit'].get;
    expect(audit.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'actor', 'operation', 'result', 'objectId', 'serviceId', 'crossTenant', 'cursor', 'limit']),
    );
    expect(doc.paths['/webhooks/platform-mesh'].post.security).toEqual([{ platformSignature: [] }]);
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
  });
});
