import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditShipperStats } from '../../lib/audit/shipper.js';

/**
 * The shipper's progress, read at scrape time: whether the audit trail reaches the store as fast
 * as the workers journal it, and whether the store takes it.
 */
export function shipperMetrics(registry: Registry, stats: () => AuditShipperStats): void {
  const registers = [registry];
  // Counters that follow the shipper's own running totals.
  const counter = (name: string, help: string, read: (s: AuditShipperStats) => number): void => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers,
      collect() {
        const now = read(stats());
        if (now > seen) this.inc(now - seen);
        seen = now;
      },
    });
  };
  counter('openkcm_kmip_audit_shipped_total', 'Audit events copied from the journals into the store', (s) => s.shipped);
  counter('openkcm_kmip_audit_shipped_blocks_total', 'Audit blocks (batches) stored', (s) => s.batches);
  counter('openkcm_kmip_audit_ship_failures_total', 'Shipping passes that failed and were retried', (s) => s.failedAttempts);
  new Gauge({
    name: 'openkcm_kmip_audit_journal_backlog_bytes',
    help: 'Journal bytes on disk not yet in the store, as of the last shipping pass',
    registers,
    collect() {
      this.set(stats().backlogBytes);
    },
  });
  new Gauge({
    name: 'openkcm_kmip_audit_store_healthy',
    help: '1 while the audit store takes batches, 0 after a failed pass until one succeeds',
    registers,
    collect() {
      this.set(stats().storeHealthy ? 1 : 0);
    },
  });
}
