import type { AuditEvent } from '../event.js';

/** The i-th KMIP Get of a test workload: distinct object id and details, so order is checkable. */
export function sampleKmipEvent(i: number, tenantId = 'acme'): AuditEvent {
  return {
    tenantId,
    actor: { kind: 'service', id: `spiffe://openkcm/tenant/${tenantId}/service/mongodb` },
    operation: 'kmip.Get',
    objectId: `obj-${i}`,
    result: 'success',
    latencyMs: i / 10,
    details: { i },
  };
}
