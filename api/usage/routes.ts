import type { ApiDeps } from '../deps.js';
import { route, type AnyRoute } from '../http/route.js';
import { UsageAccumulator, windowStart } from './aggregate.js';
import { usageQuery, usageView } from './schema.js';

/** KMIP operations are the audit events KMIP nodes write: actor kind `service`. */
export const KMIP_ACTOR_KIND = 'service';

export function usageRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/usage',
      operationId: 'getUsage',
      summary: 'KMIP operations per minute: count, errors, p50/p99 latency (from the audit log)',
      tag: 'usage',
      access: 'user',
      query: usageQuery,
      response: usageView,
      async handler(_ctx, { query, principal }) {
        const now = deps.now();
        const usage = new UsageAccumulator(now, query.minutes);
        const filter = { from: windowStart(now, query.minutes), to: now, actorKind: KMIP_ACTOR_KIND };
        for await (const event of deps.audit.stream(principal.tenantId, filter)) usage.add(event);
        return usage.result();
      },
    }),
  ];
}
