import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MAX_MESSAGE_SIZE } from './codec/framer.js';

/**
 * KMIP-server-only settings (the shared ones — ports, store, data dir, platform key — come from
 * lib/config). Defaults suit production; the dev stack and tests override a few.
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  OPENKCM_KMIP_WORKERS: int(1, 256).optional(),
  OPENKCM_KMIP_MAX_CONNECTIONS_PER_IDENTITY: int(1, 1_000_000).default(256),
  OPENKCM_KMIP_MAX_MESSAGE_BYTES: int(1024, 64 * 1024 * 1024).default(DEFAULT_MAX_MESSAGE_SIZE),
  OPENKCM_KMIP_TENANT_POLL_MS: int(50, 60_000).default(250),
  OPENKCM_KMIP_REVOCATION_POLL_MS: int(50, 60_000).default(500),
  OPENKCM_KMIP_L2_CACHE_TTL_MS: int(1_000, 24 * 3_600_000).default(15 * 60_000),
  OPENKCM_KMIP_L2_CACHE_MAX: int(1, 1_000_000).default(10_000),
  OPENKCM_KMIP_OBJECT_CACHE_MS: int(0, 1_000).default(1_000),
  OPENKCM_KMIP_OBJECT_CACHE_MAX: int(1, 1_000_000).default(10_000),
  OPENKCM_KMIP_SESSION_TIMEOUT_S: int(0, 7 * 86_400).default(3_600),
  OPENKCM_KMIP_TICKET_ROTATION_H: int(1, 24 * 30).default(24),
  OPENKCM_KMIP_ADVERTISE_HOST: z.string().min(1).optional(),
  OPENKCM_KMIP_SERVER_NAMES: z.string().default(''),
  OPENKCM_KMIP_SCHEDULING: z.enum(['none', 'rr']).default('none'),
  OPENKCM_KMIP_AUDIT_BUFFER: int(1, 100_000_000).default(1_000_000),
  OPENKCM_KMIP_AUDIT_PRESSURE: int(1, 100_000_000).optional(),
  OPENKCM_KMIP_AUDIT_PRESSURE_WAIT_MS: int(1, 60_000).default(1_000),
  OPENKCM_KMIP_AUDIT_BATCH: int(1, 10_000).default(500),
  OPENKCM_KMIP_AUDIT_SHIP_RATE: int(1, 10_000_000).default(50_000),
  OPENKCM_KMIP_AUDIT_JOURNAL_DIR: z.string().min(1).optional(),
  OPENKCM_KMIP_ADMIN_HOST: z.string().min(1).optional(),
});

export interface KmipServerOptions {
  workers: number;
  maxConnectionsPerIdentity: number;
  maxMessageBytes: number;
  tenantPollMs: number;
  revocationPollMs: number;
  l2CacheTtlMs: number;
  /** How long a worker reuses a stored object it read, for key use (objects/read-cache.ts); 0: never. At most 1 s, the cross-node bound. */
  objectCacheMs: number;
  objectCacheMax: number;
  l2CacheMax: number;
  sessionTimeoutSeconds: number;
  ticketRotationMs: number;
  advertiseHost: string | undefined;
  serverDnsNames: string[];
  serverIpAddresses: string[];
  /** `none`: workers accept on the shared socket themselves (fastest); `rr`: the primary hands connections out. */
  scheduling: 'none' | 'rr';
  /** Audit events a worker may have journaled but not yet stored; beyond that, operations are refused. */
  auditBuffer: number;
  /** Backlog above which requests wait for the shipper (back-pressure); undefined: the journal's default, half of auditBuffer. */
  auditPressureMark: number | undefined;
  /** Longest one request waits for the shipper before it is served (or refused if the buffer is full). */
  auditPressureWaitMs: number;
  /** Audit events per store insert (the primary's shipper, off the request path). */
  auditBatch: number;
  /** Audit events per second the shipper stores at most, so bursts do not starve the request path. */
  auditShipRate: number;
  /** The node's audit journal; default `<dataDir>/audit-journal`. */
  auditJournalDir: string | undefined;
  /** Where the admin endpoint listens (default: the KMIP host). */
  adminHost: string | undefined;
}

export function loadKmipOptions(env: NodeJS.ProcessEnv = process.env): KmipServerOptions {
  const e = schema.parse(env);
  const names = e.OPENKCM_KMIP_SERVER_NAMES.split(',').map((s) => s.trim()).filter(Boolean);
  const isIp = (s: string): boolean => /^[\d.]+$/.test(s) || s.includes(':');
  return {
    workers: e.OPENKCM_KMIP_WORKERS ?? availableParallelism(),
    maxConnectionsPerIdentity: e.OPENKCM_KMIP_MAX_CONNECTIONS_PER_IDENTITY,
    maxMessageBytes: e.OPENKCM_KMIP_MAX_MESSAGE_BYTES,
    tenantPollMs: e.OPENKCM_KMIP_TENANT_POLL_MS,
    revocationPollMs: e.OPENKCM_KMIP_REVOCATION_POLL_MS,
    objectCacheMs: e.OPENKCM_KMIP_OBJECT_CACHE_MS,
    objectCacheMax: e.OPENKCM_KMIP_OBJECT_CACHE_MAX,
    l2CacheTtlMs: e.OPENKCM_KMIP_L2_CACHE_TTL_MS,
    l2CacheMax: e.OPENKCM_KMIP_L2_CACHE_MAX,
    sessionTimeoutSeconds: e.OPENKCM_KMIP_SESSION_TIMEOUT_S,
    ticketRotationMs: e.OPENKCM_KMIP_TICKET_ROTATION_H * 3_600_000,
    advertiseHost: e.OPENKCM_KMIP_ADVERTISE_HOST,
    serverDnsNames: names.filter((n) => !isIp(n)),
    serverIpAddresses: names.filter(isIp),
    scheduling: e.OPENKCM_KMIP_SCHEDULING,
    auditBuffer: e.OPENKCM_KMIP_AUDIT_BUFFER,
    auditPressureMark: e.OPENKCM_KMIP_AUDIT_PRESSURE,
    auditPressureWaitMs: e.OPENKCM_KMIP_AUDIT_PRESSURE_WAIT_MS,
    auditBatch: e.OPENKCM_KMIP_AUDIT_BATCH,
    auditShipRate: e.OPENKCM_KMIP_AUDIT_SHIP_RATE,
    auditJournalDir: e.OPENKCM_KMIP_AUDIT_JOURNAL_DIR,
    adminHost: e.OPENKCM_KMIP_ADMIN_HOST,
  };
}

/** Where this node's audit journal lives. */
export function auditJournalDir(opts: KmipServerOptions, dataDir: string): string {
  return opts.auditJournalDir ?? path.join(dataDir, 'audit-journal');
}
