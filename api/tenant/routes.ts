import type { ApiDeps } from '../deps.js';
import { errors } from '../errors.js';
import { route, type AnyRoute } from '../http/route.js';
import type { ServiceCatalog } from '../services/catalog.js';
import { tenantOverview } from './schema.js';
import { tenantOverviewOf } from './view.js';

export function tenantRoutes(deps: ApiDeps, catalog: ServiceCatalog): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/tenant',
      operationId: 'getTenant',
      summary: 'The caller’s tenant: provisioning status, L1 key state, services, KMIP endpoint',
      tag: 'tenant',
      access: 'user',
      response: tenantOverview,
      async handler(_ctx, { principal }) {
        const tenant = await deps.repos.tenants.get(principal.tenantId);
        if (!tenant) throw errors.notFound('tenant');
        const total = await catalog.count(tenant._id, deps.now());
        return tenantOverviewOf(tenant, total, deps.config.kmipEndpoint);
      },
    }),
  ];
}
