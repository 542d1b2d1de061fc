import type { Db } from 'mongodb';
import {
  buildAuditFilter,
  exportAuditEvents,
  queryAuditEvents,
  streamAuditRecords,
  verifyAuditChains,
  type AuditEventView as StoredEvent,
  type AuditFilter as StoredFilter,
  type AuditWriter,
} from '../../lib/audit/index.js';
import { toView } from '../../lib/audit/query.js';
import { serviceSpiffeId as spiffeId } from '../../lib/pki/index.js';
import type { AuditEventView, AuditFilter, AuditPort, AuditRecordInput, AuditVerification } from '../deps.js';

const SERVICE_SPIFFE = /^spiffe:\/\/openkcm\/tenant\/[a-z0-9-]+\/service\/([a-z0-9-]+)$/;

/**
 * The API's view of the hash-chained audit log (lib/audit): writes go through this process's
 * batched writer; reads are always scoped to the caller's tenant.
 */
export class AuditLog implements AuditPort {
  constructor(
    private readonly db: Db,
    private readonly writer: AuditWriter,
  ) {}

  async record(event: AuditRecordInput): Promise<void> {
    // Synchronous enqueue; throws AuditUnavailableError (→ 503) when the buffer is full.
    this.writer.record({ ...event, ...(event.details ? { details: { ...event.details } } : {}) });
  }

  async query(tenantId: string, filter: AuditFilter, page: { cursor?: string; limit: number }) {
    const result = await queryAuditEvents(this.db, { kind: 'tenant', tenantId }, storedFilter(tenantId, filter), {
      limit: page.limit,
      cursor: page.cursor ?? null,
    });
    return { items: result.events.map(viewOf), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) };
  }

  async *stream(tenantId: string, filter: AuditFilter): AsyncIterable<AuditEventView> {
    const records = streamAuditRecords(this.db, buildAuditFilter({ kind: 'tenant', tenantId }, storedFilter(tenantId, filter)), { order: 'asc' });
    for await (const doc of records) yield viewOf(toView(doc));
  }

  async *export(tenantId: string, filter: AuditFilter, format: 'csv' | 'json' | 'jsonl'): AsyncIterable<string> {
    const chunks = exportAuditEvents(this.db, { kind: 'tenant', tenantId }, storedFilter(tenantId, filter), format === 'csv' ? 'csv' : 'jsonl');
    if (format !== 'json') {
      yield* chunks;
      return;
    }
    // JSON lines → one JSON array, still streamed.
    let first = true;
    yield '[';
    for await (const chunk of chunks) {
      const lines = chunk.split('\n').filter((line) => line.length > 0);
      if (lines.length === 0) continue;
      yield `${first ? '\n' : ',\n'}${lines.join(',\n')}`;
      first = false;
    }
    yield '\n]\n';
  }

  /**
   * Chains interleave every tenant's events, so all of them are walked; the report keeps the
   * problems that touch this tenant's records, plus gaps (missing/truncated records cannot be
   * attributed, and they make every tenant's trail unprovable).
   */
  async verify(tenantId: string): Promise<AuditVerification> {
    const report = await verifyAuditChains(this.db, { tenantId });
    const problems = report.problems
      .filter((p) => (p.recordId ? p.tenantId === tenantId : true))
      .map((p) => ({
        chain: p.chainId,
        sequence: p.seq,
        ...(p.recordId ? { recordId: p.recordId } : {}),
        problem: `${p.kind}${p.count ? ` (${p.count} records)` : ''}${p.detail ? `: ${p.detail}` : ''}`,
      }));
    return { ok: problems.length === 0, chains: report.tenant?.chains ?? 0, records: report.tenant?.records ?? 0, problems };
  }
}

function storedFilter(tenantId: string, filter: AuditFilter): StoredFilter {
  const stored: StoredFilter = {
    ...(filter.from ? { from: filter.from } : {}),
    ...(filter.to ? { to: filter.to } : {}),
    ...(filter.actor ? { actorId: filter.actor } : {}),
    ...(filter.actorKind ? { actorKind: filter.actorKind as NonNullable<StoredFilter['actorKind']> } : {}),
    ...(filter.operation ? { operation: filter.operation } : {}),
    ...(filter.result ? { result: filter.result } : {}),
    ...(filter.objectId ? { objectId: filter.objectId } : {}),
    ...(filter.crossTenant !== undefined ? { crossTenant: filter.crossTenant } : {}),
  };
  // A service is the actor of its KMIP operations, named by its SPIFFE id.
  if (filter.serviceId) Object.assign(stored, { actorKind: 'service', actorId: spiffeId(tenantId, filter.serviceId) });
  return stored;
}

function viewOf(event: StoredEvent): AuditEventView {
  const serviceId = event.actor.kind === 'service' ? SERVICE_SPIFFE.exec(event.actor.id)?.[1] : undefined;
  return {
    id: event.id,
    time: event.time,
    actor: event.actor,
    operation: event.operation,
    ...(event.objectId !== undefined ? { objectId: event.objectId } : {}),
    ...(event.l2Version !== undefined ? { l2Version: event.l2Version } : {}),
    result: event.result,
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
    ...(event.crossTenant !== undefined ? { crossTenant: event.crossTenant } : {}),
    ...(event.latencyMs !== undefined ? { latencyMs: event.latencyMs } : {}),
    ...(event.clientAddress !== undefined ? { clientAddress: event.clientAddress } : {}),
    ...(serviceId ? { serviceId } : {}),
    ...(event.details !== undefined ? { details: event.details } : {}),
  };
}
