import { invalidateOnAllNodes } from '../lib/kmip-nodes/invalidation.js';
import type { ActivityDependencies } from './dependencies.js';
import type { CryptoServiceActivities } from './types.js';

export function createCryptoServiceActivities(deps: ActivityDependencies): CryptoServiceActivities {
  return {
    async invalidateKmipCaches({ tenantId }) {
      // This worker's own connectors may hold sessions for the old configuration too.
      await deps.connectors.evictTenant(tenantId);
      return { nodes: await invalidateOnAllNodes(deps.kmipNodes, tenantId, deps.kmipAdminToken) };
    },
  };
}
