import type { TenantL1State, TenantRecord } from '../../lib/tenants/model.js';
import type { z } from 'zod';
import type { l1StateView } from '../l1/schema.js';
import type { tenantOverview } from './schema.js';

export function l1StateOf(state: TenantL1State): z.input<typeof l1StateView> {
  return {
    status: state.status,
    ...(state.reason ? { reason: state.reason } : {}),
    ...(state.configId ? { configId: state.configId } : {}),
    ...(state.currentL2Version !== undefined ? { currentL2Version: state.currentL2Version } : {}),
    ...(state.checkedAt ? { checkedAt: state.checkedAt.toISOString() } : {}),
    changedAt: state.changedAt.toISOString(),
  };
}

export function tenantOverviewOf(tenant: TenantRecord, servicesTotal: number, kmipEndpoint: string): z.input<typeof tenantOverview> {
  return {
    id: tenant._id,
    displayName: tenant.displayName,
    status: tenant.status,
    ...(tenant.statusReason ? { statusReason: tenant.statusReason } : {}),
    createdAt: tenant.createdAt.toISOString(),
    ...(tenant.readyAt
      ? { readyAt: tenant.readyAt.toISOString(), provisioningDurationMs: tenant.readyAt.getTime() - tenant.createdAt.getTime() }
      : {}),
    l1: l1StateOf(tenant.l1),
    services: { total: servicesTotal },
    kmip: { endpoint: kmipEndpoint },
  };
}
