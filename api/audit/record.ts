import type { Context } from 'koa';
import type { AuditPort, AuditRecordInput } from '../deps.js';
import type { Principal } from '../http/route.js';

type UserEvent = Omit<AuditRecordInput, 'tenantId' | 'actor' | 'clientAddress'>;

/** Audits something a console user did, with their address; the write is awaited (no audit, no action). */
export function auditUser(audit: AuditPort, ctx: Context, principal: Principal, event: UserEvent): Promise<void> {
  return audit.record({
    ...event,
    tenantId: principal.tenantId,
    actor: { kind: 'user', id: principal.username },
    clientAddress: ctx.ip,
  });
}
