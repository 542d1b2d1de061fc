import { z } from 'zod';
import type { AnyRoute } from './route.js';

/**
 * OpenAPI 3.1 from the route declarations: the same zod schemas that validate requests and
 * shape responses describe them here (JSON Schema 2020-12 is OpenAPI 3.1's dialect).
 */
type JsonSchema = Record<string, unknown>;

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
});

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request (details.fields names each bad field)',
  401: 'Missing, invalid or expired credentials or signature',
  403: 'Your role does not allow this',
  404: 'Not found (also for another tenant’s resources)',
  409: 'Conflict with the current state',
  413: 'Body too large',
  422: 'Unprocessable',
  429: 'Too many attempts (see Retry-After)',
  502: 'The keystore or a workflow failed',
  503: 'A backing service is unavailable',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

/** Koa's `/a/:id` → OpenAPI's `/a/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (required.has(name) && property.default === undefined),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

function errorStatuses(route: AnyRoute): number[] {
  const statuses = new Set(route.errorStatuses ?? []);
  if (route.params || route.query || route.body) statuses.add(400);
  if (route.access !== 'public') statuses.add(401);
  if (route.access === 'admin') statuses.add(403);
  if (route.params) statuses.add(404);
  return [...statuses].sort();
}

function operation(route: AnyRoute): JsonSchema {
  const status = route.status ?? (route.response || route.responseContentType ? 200 : 204);
  const success: JsonSchema = { description: route.summary };
  if (route.response) success.content = { 'application/json': { schema: jsonSchema(route.response, 'output') } };
  else if (route.responseContentType) success.content = { [route.responseContentType]: { schema: { type: 'string' } } };

  const responses: Record<string, JsonSchema> = { [String(status)]: success };
  for (const code of errorStatuses(route)) {
    responses[String(code)] = {
      description: ERROR_TEXT[code] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const security =
    route.access === 'user' || route.access === 'admin'
      ? [{ bearer: [] }]
      : route.access === 'platform'
        ? [{ platformSignature: [] }]
        : [];
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.access === 'admin' ? { description: 'Requires the admin role.' } : {}),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    responses,
    security,
  };
}

export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string; serverUrl?: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenKCM API',
      version: info.version,
      description: 'Customer-controlled encryption for MongoDB on Platform Mesh: tenant console API, Platform Mesh webhooks and operator endpoints.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBodySchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        platformSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-OpenKCM-Signature',
          description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
        },
      },
    },
  };
}
