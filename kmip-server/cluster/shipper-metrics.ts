import type { Registry } from 'prom-client';
import type { AuditShipperStats } from '../../lib/audit/shipper.js';
import { scrapedGauge } from '../metrics.js';

/**
 * The shipper's progress, read at scrape time: whether the audit trail reaches the store as fast
 * as the workers journal it, and whether the store takes it.
 */
export function shipperMetrics(registry: Registry, stats: () => AuditShipperStats): void {
  const registers = [registry];
  scrapedGauge(registers, 'openkcm_kmip_audit_shipped_total', 'Audit events copied from the journals into the store', () => stats().shipped);
  scrapedGauge(registers, 'openkcm_kmip_audit_shipped_blocks_total', 'Audit blocks (batches) stored', () => stats().batches);
  scrapedGauge(registers, 'openkcm_kmip_audit_ship_failures_total', 'Shipping passes that failed and were retried', () => stats().failedAttempts);
  scrapedGauge(registers, 'openkcm_kmip_audit_journal_backlog_bytes', 'Journal bytes on disk not yet in the store, as of the last shipping pass', () => stats().backlogBytes);
  scrapedGauge(registers, 'openkcm_kmip_audit_store_healthy', '1 while the audit store takes batches, 0 after a failed pass until one succeeds', () => (stats().storeHealthy ? 1 : 0));
}
