import client from 'prom-client';
import type { L2CacheStats } from '../lib/keys/l2-cache.js';
import type { ObjectReadCacheStats } from './objects/read-cache.js';

/**
 * Prometheus metrics of one worker process, registered in prom-client's global registry so the
 * primary's AggregatorRegistry can sum them across workers. Label children are cached: the hot
 * path does a Map lookup and an add, nothing else.
 */
export class KmipMetrics {
  readonly registry: client.Registry;
  private readonly ops: client.Counter<'operation' | 'result'>;
  private readonly latency: client.Histogram<'operation'>;
  private readonly opChildren = new Map<string, client.Counter.Internal>();
  private readonly latencyChildren = new Map<string, client.Histogram.Internal<"operation">>();
  readonly connectionsOpen: client.Gauge;
  readonly connections: client.Counter;
  readonly connectionsRefused: client.Counter<'reason'>;
  readonly handshakes: client.Counter<'kind'>;
  readonly handshakeFailures: client.Counter;
  readonly malformed: client.Counter<'problem'>;

  constructor(
    cacheStats: () => L2CacheStats,
    auditStats: () => { depth: number; throttled: number; refused: number },
    objectCacheStats: () => ObjectReadCacheStats = () => ({ hits: 0, misses: 0, entries: 0 }),
    registry: client.Registry = client.register,
  ) {
    this.registry = registry;
    const registers = [registry];
    this.ops = new client.Counter({
      name: 'openkcm_kmip_operations_total',
      help: 'KMIP batch items processed, by operation and result',
      labelNames: ['operation', 'result'],
      registers,
    });
    this.latency = new client.Histogram({
      name: 'openkcm_kmip_operation_duration_seconds',
      help: 'Time to serve one KMIP batch item, store and key hierarchy included',
      labelNames: ['operation'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.connectionsOpen = new client.Gauge({ name: 'openkcm_kmip_connections_open', help: 'Open KMIP connections', registers });
    this.connections = new client.Counter({ name: 'openkcm_kmip_connections_total', help: 'Authenticated KMIP connections accepted', registers });
    this.connectionsRefused = new client.Counter({
      name: 'openkcm_kmip_connections_refused_total',
      help: 'Connections closed after the TLS handshake, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.handshakes = new client.Counter({
      name: 'openkcm_kmip_tls_handshakes_total',
      help: 'Completed TLS handshakes: full, or resumed from a session ticket',
      labelNames: ['kind'],
      registers,
    });
    this.handshakeFailures = new client.Counter({ name: 'openkcm_kmip_tls_handshake_failures_total', help: 'Failed TLS handshakes', registers });
    this.malformed = new client.Counter({
      name: 'openkcm_kmip_malformed_messages_total',
      help: 'Requests that could not be decoded, by problem',
      labelNames: ['problem'],
      registers,
    });
    cacheGauges(registers, 'openkcm_kmip_l2_cache', { hits: 'L2 cache hits (unwrapped tenant keys served from memory)', misses: 'L2 cache misses (an L1 unwrap was needed)', ratio: 'L2 cache hits / lookups since start' }, cacheStats);
    scrapedGauge(registers, 'openkcm_kmip_l2_cache_entries', 'Unwrapped L2 versions held in memory', () => cacheStats().size);
    cacheGauges(
      registers,
      'openkcm_kmip_object_cache',
      { hits: 'Key uses served from a recently read copy of the stored object (no store round trip)', misses: 'Key uses that read the stored object', ratio: 'Object cache hits / lookups since start' },
      objectCacheStats,
    );
    scrapedGauge(registers, 'openkcm_kmip_audit_buffer_depth', 'Audit events waiting to be stored', () => auditStats().depth);
    scrapedGauge(registers, 'openkcm_kmip_audit_throttled_total', 'Requests held back because the audit backlog was above its pressure mark', () => auditStats().throttled);
    scrapedGauge(registers, 'openkcm_kmip_audit_refused_total', 'Operations refused because the audit backlog was full or the journal unwritable', () => auditStats().refused);
  }

  /** One batch item served: counted by result and timed. */
  observe(operation: string, result: string, seconds: number): void {
    const key = `${operation}\0${result}`;
    let c = this.opChildren.get(key);
    if (!c) {
      c = this.ops.labels(operation, result);
      this.opChildren.set(key, c);
    }
    c.inc();
    let h = this.latencyChildren.get(operation);
    if (!h) {
      h = this.latency.labels(operation);
      this.latencyChildren.set(operation, h);
    }
    h.observe(seconds);
  }
}

/** `<prefix>_hits_total`, `_misses_total` and `_hit_ratio`, read from the cache's own counters when scraped. */
function cacheGauges(registers: client.Registry[], prefix: string, help: { hits: string; misses: string; ratio: string }, stats: () => { hits: number; misses: number }): void {
  scrapedGauge(registers, `${prefix}_hits_total`, help.hits, () => stats().hits);
  scrapedGauge(registers, `${prefix}_misses_total`, help.misses, () => stats().misses);
  const ratio = (): number => {
    const s = stats();
    const total = s.hits + s.misses;
    return total === 0 ? 1 : s.hits / total;
  };
  // Workers' ratios are averaged, not summed, by the primary's AggregatorRegistry.
  scrapedGauge(registers, `${prefix}_hit_ratio`, help.ratio, ratio, 'average');
}

/**
 * A value its owner keeps (a cache's or the audit log's own counters), read when /metrics is
 * scraped: nothing is added to the hot path. Totals read this way keep their `_total` names.
 */
export function scrapedGauge(registers: client.Registry[], name: string, help: string, read: () => number, aggregator?: client.Aggregator): void {
  new client.Gauge({
    name,
    help,
    registers,
    ...(aggregator ? { aggregator } : {}),
    collect() {
      this.set(read());
    },
  });
}
