/**
 * The API process as the dev stack runs it: the built console at `/` (same origin as the
 * API), client-side routes surviving a reload, JSON errors for the API, health and metrics.
 */
import { describe, expect, it } from 'vitest';
import { stack } from '../../support/stack.js';

const info = stack();
const origin = info.console.url.replace(/\/+$/, '');

async function get(route: string, accept = 'text/html') {
  const response = await fetch(`${origin}${route}`, { headers: { accept } });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

describe('serving', () => {
  it('serves the built console and falls back to it for client-side routes', async () => {
    const index = await get('/');
    expect(index.status, index.text).toBe(200);
    expect(index.type).toContain('text/html');
    expect(index.text).toContain('<div id="app"');
    const deep = await get('/services/mongodb');
    expect(deep.status).toBe(200);
    expect(deep.text).toBe(index.text);
  });

  it('answers unknown API routes with the JSON error, not the console', async () => {
    const missing = await get('/api/no-such-route');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves health, metrics and the OpenAPI document', async () => {
    expect((await get('/healthz', 'application/json')).text).toBe('{"status":"ok"}');
    const metrics = await get('/metrics', 'text/plain');
    expect(metrics.text).toContain('openkcm_http_requests_total');
    expect(metrics.text).toContain('openkcm_api_process_cpu_seconds_total');
    const openapi = JSON.parse((await get('/api/openapi.json', 'application/json')).text) as { openapi: string; servers: Array<{ url: string }> };
    expect(openapi.openapi).toBe('3.1.0');
  });
});
