import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Next } from 'koa';
import serve from 'koa-static';

const API_PREFIXES = ['/api/', '/platform/', '/webhooks/'];
const isApiPath = (p: string) => p === '/api' || API_PREFIXES.some((prefix) => p.startsWith(prefix));

/**
 * The built console at `/`, same origin as the API (no CORS). Unknown non-API GETs that want
 * HTML get index.html, so the console's client-side routes survive a reload.
 */
export function consoleMiddleware(dir: string | undefined) {
  const index = dir ? path.join(dir, 'index.html') : undefined;
  const statics = dir ? serve(dir, { index: 'index.html', maxage: 0 }) : undefined;
  return async function serveConsole(ctx: Context, next: Next): Promise<void> {
    if (!statics || !index || isApiPath(ctx.path) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    await statics(ctx, async () => undefined);
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (!ctx.accepts('html') || !existsSync(index)) return next();
    ctx.type = 'html';
    ctx.set('cache-control', 'no-cache');
    ctx.body = await readFile(index);
  };
}
