import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { routeLabel } from './metrics.js';

/**
 * One line per request: method, route pattern, status, duration, tenant. Never headers (the
 * bearer token), bodies (keystore secrets, passwords) or query strings.
 */
export function requestLog(logger: Logger) {
  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    try {
      await next();
    } finally {
      const principal = ctx.state.principal as { tenantId?: string; username?: string } | undefined;
      const route = routeLabel(ctx);
      // Probes and scrapes arrive every few seconds; keep them out of the info log.
      const level = route === '/healthz' || route === '/metrics' ? 'debug' : 'info';
      logger[level](
        {
          method: ctx.method,
          route,
          status: ctx.status,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          requestId: ctx.state.requestId as string | undefined,
          ...(principal?.tenantId ? { tenantId: principal.tenantId, user: principal.username } : {}),
        },
        'request',
      );
    }
  };
}
