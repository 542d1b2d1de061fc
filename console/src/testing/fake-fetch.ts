import { vi } from 'vitest';

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | ((call: Call) => { status?: number; body?: unknown; headers?: Record<string, string> });

/**
 * A `fetch` stub for the unit tests: answers `METHOD /path` (query string ignored) from a table
 * and records every call, so a test can check which endpoints a store used and with what.
 */
export function stubFetch(routes: Record<string, Reply>): { calls: Call[]; fetch: ReturnType<typeof vi.fn> } {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    const call: Call = { method, url, headers, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const path = url.split('?')[0];
    const reply = routes[`${method} ${path}`];
    if (!reply) {
      return new Response(JSON.stringify({ error: { code: 'not_found', message: `no stub for ${method} ${path}` } }), { status: 404, headers: { 'Content-Type': 'application/json' } });
    }
    const r = typeof reply === 'function' ? reply(call) : reply;
    const status = r.status ?? 200;
    const body = status === 204 || r.body === undefined ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    return new Response(body, { status, headers: { 'Content-Type': 'application/json', ...(r.headers ?? {}) } });
  });
  vi.stubGlobal('fetch', fetch);
  return { calls, fetch };
}
