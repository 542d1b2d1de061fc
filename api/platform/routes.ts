import type { ApiDeps } from '../deps.js';
import { errors } from '../errors.js';
import { route, type AnyRoute } from '../http/route.js';
import type { ServiceCatalog } from '../services/catalog.js';
import { tenantOverview } from '../tenant/schema.js';
import { tenantOverviewOf } from '../tenant/view.js';
import { initialCredentials, platformTenantParams } from './schema.js';

/** What Platform Mesh (and the CLI acting as it) reads back, signed like the webhooks. */
export function platformRoutes(deps: ApiDeps, catalog: ServiceCatalog): AnyRoute[] {
  const { tenants, users } = deps.repos;
  return [
    route({
      method: 'get',
      path: '/platform/tenants/:tenantId',
      operationId: 'platformGetTenant',
      summary: 'A tenant’s overview for Platform Mesh (signed; the body signed is empty)',
      tag: 'platform',
      access: 'platform',
      params: platformTenantParams,
      response: tenantOverview,
      async handler(_ctx, { params }) {
        const tenant = await tenants.get(params.tenantId);
        if (!tenant) throw errors.notFound('tenant');
        return tenantOverviewOf(tenant, await catalog.count(tenant._id, deps.now()), deps.config.kmipEndpoint);
      },
    }),
    route({
      method: 'post',
      path: '/platform/tenants/:tenantId/credentials',
      operationId: 'platformTakeInitialCredentials',
      summary: 'The initial administrator credentials, handed over exactly once (then 404)',
      tag: 'platform',
      access: 'platform',
      params: platformTenantParams,
      response: initialCredentials,
      async handler(ctx, { params }) {
        const pending = await users.collection.findOne(
          { tenantId: params.tenantId, role: 'admin', pendingInitialPassword: { $exists: true } },
          { projection: { username: 1 } },
        );
        const password = pending ? await users.takeInitialPassword(params.tenantId, pending.username) : undefined;
        if (!pending || password === undefined) throw errors.notFound('initial credentials');
        await deps.audit.record({
          tenantId: params.tenantId,
          actor: { kind: 'platform', id: 'platform-mesh' },
          operation: 'tenant.credentials.handover',
          result: 'success',
          objectId: pending.username,
          clientAddress: ctx.ip,
        });
        ctx.set('cache-control', 'no-store');
        return { username: pending.username, password };
      },
    }),
  ];
}
