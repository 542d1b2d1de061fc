import { createHmac } from 'node:crypto';
import type { KmipNodeRegistry } from './registry.js';

/** Bearer token for the KMIP nodes' internal admin endpoints, derived from the platform key. */
export function kmipAdminToken(platformKey: Buffer): string {
  return createHmac('sha256', platformKey).update('openkcm/kmip-admin-token/v1').digest('base64url');
}

export const HEARTBEAT_INTERVAL_MS = 2_000;
/** A node that missed this many heartbeats is presumed gone (it also polls tenant state itself). */
export const NODE_LIVENESS_MS = 5 * HEARTBEAT_INTERVAL_MS;

export class InvalidationError extends Error {
  override readonly name = 'InvalidationError';
}

/**
 * Tells every live KMIP node to drop a tenant's cached keys and re-read its state. Succeeds
 * only when all of them confirmed; the caller (an activity) retries otherwise. Nodes also
 * poll tenant state on their own, which bounds staleness if a node is partitioned.
 */
export async function invalidateOnAllNodes(
  registry: KmipNodeRegistry,
  tenantId: string,
  token: string,
  timeoutMs = 2_000,
): Promise<number> {
  const nodes = await registry.live(NODE_LIVENESS_MS);
  const results = await Promise.allSettled(
    nodes.map(async (node) => {
      const response = await fetch(`${node.adminUrl}/internal/tenants/${encodeURIComponent(tenantId)}/invalidate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`${node._id} answered ${response.status}`);
    }),
  );
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${nodes[i]!._id}: ${(r.reason as Error).message}`] : []));
  if (failures.length > 0) throw new InvalidationError(`KMIP nodes did not confirm: ${failures.join('; ')}`);
  return nodes.length;
}
