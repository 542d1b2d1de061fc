import { z } from 'zod';
import type { Registry } from 'prom-client';
import { route, type AnyRoute } from '../http/route.js';

/** Liveness, Prometheus metrics and the OpenAPI document: public, no tenant data. */
export function opsRoutes(registry: Registry, openapi: () => Record<string, unknown>): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      summary: 'Liveness',
      tag: 'operations',
      access: 'public',
      response: z.object({ status: z.literal('ok') }),
      async handler() {
        return { status: 'ok' as const };
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics (HTTP request counts and latency by route)',
      tag: 'operations',
      access: 'public',
      responseContentType: 'text/plain',
      async handler(ctx) {
        ctx.type = registry.contentType;
        ctx.body = await registry.metrics();
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/openapi.json',
      operationId: 'openapi',
      summary: 'This API as OpenAPI 3.1',
      tag: 'operations',
      access: 'public',
      responseContentType: 'application/json',
      async handler(ctx) {
        ctx.body = openapi();
        return undefined;
      },
    }),
  ];
}
