import { type Db, type Filter, ObjectId } from 'mongodb';
import { IDENTIFIER_PATTERN } from '../pki/names.js';
import type { ActorKind, AuditEvent, AuditResult } from './event.js';
import { streamAuditRecords } from './record-stream.js';
import type { AuditRecordDocument } from './store.js';

/**
 * Reading the audit trail. Every query has a scope: a tenant-scoped caller (tenant admin or
 * auditor) can only ever see its own tenant's events — the tenant filter comes from the
 * scope, not from the request; platform operators may look across tenants.
 */
export type AuditScope = { kind: 'tenant'; tenantId: string } | { kind: 'platform' };

export interface AuditFilter {
  /** Platform scope only (a tenant scope is already fixed); null selects platform-wide events. */
  tenantId?: string | null;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  actorKind?: ActorKind;
  actorId?: string;
  operation?: string | string[];
  result?: AuditResult | AuditResult[];
  objectId?: string;
  crossTenant?: boolean;
}

/** A stored event as readers see it: what was recorded, where it sits in its chain, and its id. */
export interface AuditEventView extends Omit<AuditEvent, 'time'> {
  id: string;
  chainId: string;
  seq: number;
  hash: string;
  prevHash: string;
  time: Date;
}

export interface AuditPage {
  events: AuditEventView[];
  /** Opaque; pass back to get the next page. Null on the last page. */
  nextCursor: string | null;
}

export class AuditQueryError extends Error {
  override readonly name = 'AuditQueryError';
}

export const MAX_PAGE_SIZE = 1000;
const MAX_FILTER_VALUES = 50;

export function buildAuditFilter(scope: AuditScope, filter: AuditFilter = {}): Filter<AuditRecordDocument> {
  const q: Filter<AuditRecordDocument> = {};
  if (scope.kind === 'tenant') {
    if (!IDENTIFIER_PATTERN.test(scope.tenantId)) throw new AuditQueryError('scope tenant id is invalid');
    if (filter.tenantId !== undefined && filter.tenantId !== scope.tenantId) {
      throw new AuditQueryError('a tenant-scoped query cannot select another tenant');
    }
    q.tenantId = scope.tenantId;
  } else if (scope.kind === 'platform') {
    if (filter.tenantId !== undefined) q.tenantId = filter.tenantId;
  } else {
    throw new AuditQueryError('audit queries need a scope');
  }
  if (filter.from || filter.to) {
    const range: { $gte?: Date; $lt?: Date } = {};
    if (filter.from) range.$gte = checkDate(filter.from, 'from');
    if (filter.to) range.$lt = checkDate(filter.to, 'to');
    q.time = range;
  }
  if (filter.actorKind !== undefined) q['actor.kind'] = filter.actorKind;
  if (filter.actorId !== undefined) q['actor.id'] = filter.actorId;
  if (filter.operation !== undefined) q.operation = oneOrMany(filter.operation, 'operation');
  if (filter.result !== undefined) q.result = oneOrMany(filter.result, 'result');
  if (filter.objectId !== undefined) q.objectId = filter.objectId;
  // Events without the flag are not cross-tenant.
  if (filter.crossTenant !== undefined) q.crossTenant = filter.crossTenant ? true : { $ne: true };
  for (const [k, v] of Object.entries(q)) {
    // Strings only: a non-string (e.g. an object smuggled in from a JSON body) could be an operator.
    if (k === 'tenantId' && v === null) continue;
    if (typeof v === 'object' && v !== null && (k === 'time' || k === 'operation' || k === 'result' || k === 'crossTenant')) continue;
    if (typeof v !== 'string' && typeof v !== 'boolean') throw new AuditQueryError(`${k} filter must be a string`);
    if (typeof v === 'string' && v.length > 256) throw new AuditQueryError(`${k} filter is too long`);
  }
  return q;
}

/**
 * Newest first, paged by (time, id) so inserts during paging neither repeat nor skip events.
 * The filter is for records; lib/audit/record-stream.ts reads the blocks that may hold them.
 */
export async function queryAuditEvents(
  db: Db,
  scope: AuditScope,
  filter: AuditFilter = {},
  page: { limit?: number; cursor?: string | null } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(1, Math.floor(page.limit ?? 100)), MAX_PAGE_SIZE);
  const q = buildAuditFilter(scope, filter);
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  const docs: AuditRecordDocument[] = [];
  for await (const doc of streamAuditRecords(db, q, { order: 'desc', ...(after ? { after } : {}) })) {
    docs.push(doc);
    if (docs.length > limit) break;
  }
  const more = docs.length > limit;
  const events = docs.slice(0, limit).map(toView);
  const last = events[events.length - 1];
  return { events, nextCursor: more && last ? encodeCursor(last.time, last.id) : null };
}

export function toView(doc: AuditRecordDocument): AuditEventView {
  const { _id, ...rest } = doc;
  return { id: _id.toHexString(), ...rest } as AuditEventView;
}

function encodeCursor(time: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: time.getTime(), i: id }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { time: Date; id: ObjectId } {
  try {
    if (cursor.length > 200) throw new Error('too long');
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; i?: unknown };
    if (typeof parsed.t !== 'number' || !Number.isFinite(parsed.t) || typeof parsed.i !== 'string' || !/^[0-9a-f]{24}$/.test(parsed.i)) {
      throw new Error('shape');
    }
    return { time: new Date(parsed.t), id: new ObjectId(parsed.i) };
  } catch {
    throw new AuditQueryError('invalid page cursor');
  }
}

function oneOrMany<T extends string>(value: T | T[], field: string): T | { $in: T[] } {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || values.length > MAX_FILTER_VALUES) throw new AuditQueryError(`${field} filter needs 1 to ${MAX_FILTER_VALUES} values`);
  if (values.some((v) => typeof v !== 'string' || v.length > 256)) throw new AuditQueryError(`${field} filter values must be short strings`);
  return Array.isArray(value) ? { $in: values } : value;
}

function checkDate(d: Date, field: string): Date {
  if (!(d instanceof Date) || !Number.isFinite(d.getTime())) throw new AuditQueryError(`${field} must be a valid date`);
  return d;
}
