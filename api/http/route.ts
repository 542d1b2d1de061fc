import type Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { errors, fieldsFromZod } from '../errors.js';
import { readJsonBody } from './body.js';

/**
 * Every endpoint is declared once as a `RouteSpec`: method, path, who may call it, and zod
 * schemas for params, query, body and the success response. The same declaration registers
 * the Koa route, validates input (400 naming the fields), checks the caller's role, shapes the
 * response (unknown fields are stripped, so nothing undeclared — a secret — leaks), and
 * generates the OpenAPI document.
 */
export type Role = 'admin' | 'auditor';

export interface Principal {
  username: string;
  tenantId: string;
  role: Role;
  /** Which issuer vouched for the token. */
  issuer: 'builtin' | 'external';
}

/** public: anyone; user: an admin or auditor of a tenant; admin: admins only; platform: signed by Platform Mesh. */
export type Access = 'public' | 'user' | 'admin' | 'platform';

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema, A extends Access> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  principal: A extends 'user' | 'admin' ? Principal : undefined;
}

export interface RouteSpec<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema, A extends Access = Access> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Koa style: `/api/l1/configs/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Success status; 200 unless said otherwise. */
  status?: number;
  /** Success body; validated and stripped before it is sent. Omit for 204 and streamed bodies. */
  response?: z.ZodType;
  /** For non-JSON success bodies (CSV, Prometheus text, HTML). */
  responseContentType?: string;
  /** Error statuses worth documenting beyond the ones implied by access and input. */
  errorStatuses?: number[];
  handler(ctx: Context, input: RouteInput<P, Q, B, A>): Promise<unknown>;
}

export type AnyRoute = RouteSpec<Schema, Schema, Schema, Access>;

/** Identity inference for a route declaration (keeps the literal `access` and the schema types). */
export function route<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined, A extends Access = Access>(
  spec: RouteSpec<P, Q, B, A>,
): AnyRoute {
  return spec as unknown as AnyRoute;
}

export interface Guards {
  /** Verifies the bearer token (401 otherwise). */
  authenticate(ctx: Context): Promise<Principal>;
  /** Verifies a Platform Mesh signature over the raw body (401 otherwise). */
  verifyPlatform(ctx: Context): Promise<void>;
}

function parseWith(schema: z.ZodType, value: unknown, prefix: string | undefined): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw errors.invalid(fieldsFromZod(result.error, prefix ? [prefix] : []));
  return result.data;
}

/** The declared schema is the contract: unknown keys are dropped; a mismatch is our bug (500, logged with paths only). */
function shape(spec: AnyRoute, result: unknown): unknown {
  const parsed = spec.response!.safeParse(result);
  if (parsed.success) return parsed.data;
  const paths = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
  throw new Error(`response of ${spec.operationId} does not match its schema at: ${paths}`);
}

export function registerRoutes(router: Router, routes: readonly AnyRoute[], guards: Guards): void {
  for (const spec of routes) {
    router[spec.method](spec.operationId, spec.path, async (ctx: Context) => {
      ctx.state.route = spec.path;
      let principal: Principal | undefined;
      if (spec.access === 'user' || spec.access === 'admin') {
        principal = await guards.authenticate(ctx);
        ctx.state.principal = principal;
        if (spec.access === 'admin' && principal.role !== 'admin') throw errors.forbidden();
      } else if (spec.access === 'platform') {
        await guards.verifyPlatform(ctx);
      }
      const params = spec.params ? parseWith(spec.params, ctx.params, undefined) : undefined;
      const query = spec.query ? parseWith(spec.query, ctx.query, undefined) : undefined;
      const body = spec.body ? parseWith(spec.body, await readJsonBody(ctx), undefined) : undefined;
      const result = await spec.handler(ctx, { params, query, body, principal } as RouteInput<Schema, Schema, Schema, Access>);
      if (result !== undefined) {
        ctx.body = spec.response ? shape(spec, result) : result;
        ctx.status = spec.status ?? 200;
      } else if (ctx.body === undefined || ctx.body === null) {
        ctx.status = spec.status ?? 204;
      }
    });
  }
}
