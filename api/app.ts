import Router from '@koa/router';
import Koa from 'koa';
import { authRoutes } from './auth/routes.js';
import { bearerAuthenticator } from './auth/guard.js';
import { TokenService } from './auth/tokens.js';
import { auditRoutes } from './audit/routes.js';
import type { ApiDeps } from './deps.js';
import { errorMapper } from './errors.js';
import { consoleMiddleware } from './http/console.js';
import { standardHeaders } from './http/headers.js';
import { httpMetrics } from './http/metrics.js';
import { buildOpenApi } from './http/openapi.js';
import { requestLog } from './http/request-log.js';
import { registerRoutes, type AnyRoute } from './http/route.js';
import { l1Routes } from './l1/routes.js';
import { notificationRoutes } from './notifications/routes.js';
import { opsRoutes } from './ops/routes.js';
import { platformRoutes } from './platform/routes.js';
import { ServiceCatalog } from './services/catalog.js';
import { serviceRoutes } from './services/routes.js';
import { tenantRoutes } from './tenant/routes.js';
import { usageRoutes } from './usage/routes.js';
import { platformVerifier } from './webhooks/verify.js';
import { webhookRoutes } from './webhooks/routes.js';
import { WorkflowStarter } from './workflow-starter.js';

export interface ApiApp extends Koa {
  /** Every route the app serves, as declared (the OpenAPI source). */
  readonly routes: readonly AnyRoute[];
  readonly router: Router;
  readonly tokens: TokenService;
}

/**
 * The Koa application: metrics and the request log outermost (they see the final status),
 * then the error mapper (nothing escapes unshaped), routes, and the console for the rest.
 */
export function createApp(deps: ApiDeps, options: { defaultMetrics?: boolean } = {}): ApiApp {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const router = new Router();
  const metrics = httpMetrics(options);
  const tokens = new TokenService(deps.config.jwt, deps.repos.signingKeys, deps.now);
  const starter = new WorkflowStarter(deps.temporal, deps.config);
  const catalog = new ServiceCatalog(deps.repos.services, deps.pki);

  let openapi: Record<string, unknown> | undefined;
  const routes: AnyRoute[] = [
    ...opsRoutes(metrics.registry, () => (openapi ??= buildOpenApi(routes, { version: deps.version ?? '0.1.0', serverUrl: deps.config.publicUrl }))),
    ...authRoutes(deps, tokens),
    ...tenantRoutes(deps, catalog),
    ...l1Routes(deps, starter),
    ...serviceRoutes(deps, catalog),
    ...auditRoutes(deps),
    ...notificationRoutes(deps),
    ...usageRoutes(deps),
    ...webhookRoutes(deps, starter),
    ...platformRoutes(deps, catalog),
  ];
  registerRoutes(router, routes, {
    authenticate: bearerAuthenticator(tokens, deps.repos.tenants),
    verifyPlatform: platformVerifier(deps.config.webhook, deps.now),
  });

  app.use(metrics.middleware);
  app.use(standardHeaders);
  app.use(requestLog(deps.logger));
  app.use(errorMapper(deps.logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(consoleMiddleware(deps.config.consoleDir));
  // Koa's own error events are already answered by the mapper; keep them out of stderr.
  app.silent = true;

  return Object.assign(app, { routes, router, tokens });
}
