import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const API_PREFIXES = ['/api/', '/platform/', '/webhooks/'];

/**
 * Headers every answer carries: a request id (the caller's, if well-formed, so a proxy's id
 * follows the request into our logs), no MIME sniffing, no framing, no referrer; and API
 * answers (tokens, tenant data, one-time secrets) are never cached.
 */
export async function standardHeaders(ctx: Context, next: Next): Promise<void> {
  const given = ctx.get('x-request-id');
  const requestId = REQUEST_ID.test(given) ? given : randomUUID();
  ctx.state.requestId = requestId;
  ctx.set('x-request-id', requestId);
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('x-frame-options', 'DENY');
  ctx.set('referrer-policy', 'no-referrer');
  ctx.set('content-security-policy', "frame-ancestors 'none'");
  if (ctx.path === '/api' || API_PREFIXES.some((p) => ctx.path.startsWith(p))) ctx.set('cache-control', 'no-store');
  await next();
}
