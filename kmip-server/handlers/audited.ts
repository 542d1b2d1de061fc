import { AuditUnavailableError } from '../../lib/audit/writer.js';
import type { TenantKeyState } from '../../lib/keys/hierarchy.js';
import { ResultReason } from '../codec/enums.js';
import type { TtlvItem } from '../codec/types.js';
import type { BatchContext, Handler } from '../protocol/dispatch.js';
import { KmipError } from '../protocol/errors.js';
import type { Fields } from '../protocol/payload.js';
import type { Op, OpHandler, Session } from './context.js';
import { auditResultOf, toKmipError } from './errors.js';

export interface AuditedOptions {
  /** Refuse unless the tenant's L1 key is Active (every operation that touches tenant data). */
  readonly gated: boolean;
}

/** Permission Denied with the tenant's L1 state as the reason, e.g. "the tenant's L1 key is revoked: …". */
export function tenantUnavailable(state: TenantKeyState | undefined): KmipError {
  if (!state) return new KmipError(ResultReason.PermissionDenied, 'tenant key unavailable: the tenant is not provisioned');
  const detail = state.reason ? `: ${state.reason}` : '';
  return new KmipError(ResultReason.PermissionDenied, `tenant key unavailable: the tenant's L1 key is ${state.l1Status}${detail}`);
}

async function gate(op: Op): Promise<void> {
  const got = op.services.tenantState(op.tenantId);
  const state = got instanceof Promise ? await got : got;
  if (state?.l1Status !== 'active') throw tenantUnavailable(state);
}

/**
 * Wraps an operation handler with what every operation needs, in order: refuse when the audit
 * log cannot take the event (fail closed), refuse when the tenant's L1 key is not Active, run,
 * map errors in one place, then record exactly one audit event and count the result. The
 * connection holds the response until the journal has every event of the message
 * (server/connection.ts), so a batch costs one journal write, not one per item.
 */
export function audited(name: string, inner: OpHandler, options: AuditedOptions): Handler<Session> {
  const operation = `kmip.${name}`;
  return async (payload: Fields, ctx: BatchContext, session: Session): Promise<TtlvItem[]> => {
    const services = session.services;
    const started = performance.now();
    const op: Op = {
      session,
      services,
      tenantId: session.peer.tenantId,
      serviceId: session.peer.serviceId,
      version: ctx.versionCode,
      now: services.now(),
    };
    if (!services.audit.accepting()) {
      services.metrics.observe(name, 'refused', (performance.now() - started) / 1000);
      services.log.error({ operation, tenantId: op.tenantId }, 'audit log unavailable: refusing operation');
      throw auditUnavailable();
    }
    let out: TtlvItem[];
    try {
      if (options.gated) await gate(op);
      const r = inner(payload, ctx, op);
      out = r instanceof Promise ? await r : r;
    } catch (e) {
      const k = toKmipError(e);
      if (!k) {
        services.log.error({ err: e, operation, tenantId: op.tenantId }, 'internal error');
        record(op, operation, 'failure', started, 'internal error');
        services.metrics.observe(name, 'error', (performance.now() - started) / 1000);
        throw e;
      }
      const result = auditResultOf(k, op.crossTenant === true);
      record(op, operation, result, started, k.message);
      services.metrics.observe(name, result, (performance.now() - started) / 1000);
      throw k;
    }
    // Fail closed: a result that cannot be audited is not returned.
    record(op, operation, 'success', started, undefined);
    services.metrics.observe(name, 'success', (performance.now() - started) / 1000);
    return out;
  };
}

export const auditUnavailable = (): KmipError => new KmipError(ResultReason.GeneralFailure, 'audit log unavailable: operation refused');

/** Client-supplied text (an identifier, a name in a message) made safe for the audit validator. */
function auditText(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const t = value.length > max ? `${value.slice(0, max - 1)}…` : value;
  return t.includes('-----BEGIN') ? t.replaceAll('-----BEGIN', '-----[begin]') : t;
}

function auditDetails(op: Op): Record<string, string> | undefined {
  const correlation = op.session.correlation;
  if (!correlation && !op.related) return undefined;
  const details: Record<string, string> = {};
  for (const [role, id] of Object.entries(op.related ?? {})) details[role] = auditText(id, 256)!;
  if (correlation) {
    details.clientCorrelation = auditText(correlation.client, 256)!;
    details.serverCorrelation = correlation.server;
  }
  return details;
}

/**
 * Records the operation's one audit event in the journal's queue. Throws General Failure
 * ("audit log unavailable") when the event cannot be kept: never serve unaudited.
 */
function record(op: Op, operation: string, result: 'success' | 'failure' | 'denied', started: number, reason: string | undefined): void {
  const s = op.session;
  try {
    s.services.audit.record({
      time: op.now,
      tenantId: op.tenantId,
      actor: { kind: 'service', id: s.peer.actorId },
      operation,
      objectId: auditText(op.objectId, 256),
      l2Version: op.l2Version,
      result,
      reason: auditText(reason, 1000),
      crossTenant: op.crossTenant,
      latencyMs: performance.now() - started,
      clientAddress: s.clientAddress,
      details: auditDetails(op),
    });
  } catch (e) {
    if (e instanceof AuditUnavailableError) {
      s.services.log.error({ err: e.message, tenantId: op.tenantId }, 'audit log unavailable: refusing operation');
      throw auditUnavailable();
    }
    throw e;
  }
}
