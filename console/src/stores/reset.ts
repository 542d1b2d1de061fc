import { useAuditStore } from './audit';
import { useL1Store } from './l1';
import { useNotificationsStore } from './notifications';
import { useServicesStore } from './services';
import { useTenantStore } from './tenant';
import { useUsageStore } from './usage';

/**
 * Forgets everything loaded for the tenant. Called whenever a session ends, so the next
 * administrator signing in on this tab (perhaps of another tenant) never sees it.
 */
export function resetTenantData(): void {
  useTenantStore().reset();
  useL1Store().reset();
  useServicesStore().reset();
  useAuditStore().reset();
  useNotificationsStore().reset();
  useUsageStore().reset();
}
