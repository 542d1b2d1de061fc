import { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ApiDeps, AuditEventView, AuditFilter } from '../deps.js';
import { route, type AnyRoute } from '../http/route.js';
import { auditExportQuery, auditListQuery, auditPage, auditVerification, type auditFilterQuery } from './schema.js';

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
} as const;

/** The wire form of an audit event (dates as ISO strings, absent fields left out). */
function auditEventOf(event: AuditEventView) {
  return { ...event, time: event.time.toISOString() };
}

function filterOf(query: z.output<typeof auditFilterQuery>): AuditFilter {
  return {
    ...(query.from ? { from: new Date(query.from) } : {}),
    ...(query.to ? { to: new Date(query.to) } : {}),
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.operation ? { operation: query.operation } : {}),
    ...(query.result ? { result: query.result } : {}),
    ...(query.objectId ? { objectId: query.objectId } : {}),
    ...(query.serviceId ? { serviceId: query.serviceId } : {}),
    ...(query.crossTenant !== undefined ? { crossTenant: query.crossTenant } : {}),
  };
}

export function auditRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/audit',
      operationId: 'listAuditEvents',
      summary: 'The tenant’s audit events, newest first, filtered and paged by cursor',
      tag: 'audit',
      access: 'user',
      query: auditListQuery,
      response: auditPage,
      async handler(_ctx, { query, principal }) {
        const page = await deps.audit.query(principal.tenantId, filterOf(query), {
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
        });
        return { items: page.items.map(auditEventOf), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      },
    }),
    route({
      method: 'get',
      path: '/api/audit/export',
      operationId: 'exportAuditEvents',
      summary: 'Download the filtered audit events as CSV or JSON (streamed)',
      tag: 'audit',
      access: 'user',
      query: auditExportQuery,
      responseContentType: 'text/csv',
      async handler(ctx, { query, principal }) {
        const chunks = deps.audit.export(principal.tenantId, filterOf(query), query.format);
        const stamp = deps.now().toISOString().slice(0, 19).replace(/[:T]/g, '-');
        ctx.type = CONTENT_TYPES[query.format];
        ctx.attachment(`audit-${principal.tenantId}-${stamp}.${query.format}`);
        ctx.set('cache-control', 'no-store');
        ctx.body = Readable.from(chunks);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/audit/verify',
      operationId: 'verifyAuditChain',
      summary: 'Verify the hash chain of the tenant’s audit log',
      tag: 'audit',
      access: 'user',
      response: auditVerification,
      async handler(_ctx, { principal }) {
        const result = await deps.audit.verify(principal.tenantId);
        return { ...result, verifiedAt: deps.now().toISOString() };
      },
    }),
  ];
}
