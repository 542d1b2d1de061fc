import type { Context, Next } from 'koa';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * HTTP request counts and latency by route pattern (never the raw path: ids would explode the
 * label space). One registry per app, so tests can build several apps in one process.
 */
export interface HttpMetrics {
  registry: Registry;
  middleware(ctx: Context, next: Next): Promise<void>;
}

export function httpMetrics(options: { defaultMetrics?: boolean } = {}): HttpMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'openkcm_api_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'openkcm_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'openkcm_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    async middleware(ctx, next) {
      const started = process.hrtime.bigint();
      try {
        await next();
      } finally {
        const labels = { method: ctx.method, route: routeLabel(ctx), status: String(ctx.status) };
        requests.inc(labels);
        duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
  };
}

export function routeLabel(ctx: Context): string {
  if (typeof ctx.state.route === 'string') return ctx.state.route;
  return ctx.path.startsWith('/api/') || ctx.path.startsWith('/platform/') || ctx.path.startsWith('/webhooks/') ? 'unmatched' : 'console';
}
