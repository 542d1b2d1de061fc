import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AuditInput } from '../activities/types.js';
import type { Sealer } from '../lib/identity/users.js';
import type { UserRepository } from '../lib/identity/users.js';
import type { NotificationRepository } from '../lib/notifications/repository.js';
import type { L1ConfigRepository } from '../lib/tenants/l1-configs.js';
import type { TenantRepository } from '../lib/tenants/repository.js';
import type { SigningKeyRepository } from './auth/signing-keys.js';
import type { ApiConfig } from './config.js';
import type { ServiceRepository } from '../lib/services/repository.js';
import type { WebhookEventRepository } from './webhooks/events.js';

/**
 * Everything the API needs, injected: `createApp(deps)` builds no connections of its own, so
 * tests hand it real repositories on a throwaway database and a real Temporal client.
 */
export interface ApiRepositories {
  tenants: TenantRepository;
  l1Configs: L1ConfigRepository;
  users: UserRepository;
  notifications: NotificationRepository;
  services: ServiceRepository;
  webhookEvents: WebhookEventRepository;
  signingKeys: SigningKeyRepository;
}

export interface ApiDeps {
  config: ApiConfig;
  repos: ApiRepositories;
  temporal: Client;
  sealer: Sealer;
  audit: AuditPort;
  pki: ServicePki;
  now: () => Date;
  logger: Logger;
  /** Reported in the OpenAPI document. */
  version?: string;
}

// --- Audit (lib/audit) -------------------------------------------------------------------

export type AuditResult = 'success' | 'failure' | 'denied';

/** An event for the tenant's audit trail (lib/audit AuditEvent, always tenant-scoped). */
export interface AuditRecordInput extends Omit<AuditInput, 'actor'> {
  actor: { kind: 'user' | 'platform' | 'system' | 'service'; id: string };
  clientAddress?: string;
  crossTenant?: boolean;
  latencyMs?: number;
  /** Defaults to now. */
  time?: Date;
}

export interface AuditFilter {
  from?: Date;
  to?: Date;
  /** Matches the actor id (username, service id, `platform-mesh`). */
  actor?: string;
  actorKind?: string;
  operation?: string;
  result?: AuditResult;
  objectId?: string;
  serviceId?: string;
  crossTenant?: boolean;
}

export interface AuditEventView {
  id: string;
  time: Date;
  actor: { kind: string; id: string };
  operation: string;
  objectId?: string;
  l2Version?: number;
  result: AuditResult;
  reason?: string;
  crossTenant?: boolean;
  latencyMs?: number;
  clientAddress?: string;
  serviceId?: string;
  details?: Record<string, unknown>;
}

export interface AuditVerification {
  ok: boolean;
  chains: number;
  records: number;
  problems: Array<{ chain?: string; recordId?: string; sequence?: number; problem: string }>;
}

/** What the API needs from the hash-chained audit log; scoped to one tenant per call. */
export interface AuditPort {
  record(event: AuditRecordInput): Promise<void>;
  /** Newest first; the cursor is opaque. */
  query(tenantId: string, filter: AuditFilter, page: { cursor?: string; limit: number }): Promise<{ items: AuditEventView[]; nextCursor?: string }>;
  /** Every matching event, oldest first, without loading them all at once. */
  stream(tenantId: string, filter: AuditFilter): AsyncIterable<AuditEventView>;
  /** The matching events as CSV, a JSON array or JSON lines, in text chunks. */
  export(tenantId: string, filter: AuditFilter, format: 'csv' | 'json' | 'jsonl'): AsyncIterable<string>;
  verify(tenantId: string): Promise<AuditVerification>;
}

// --- PKI (lib/pki PlatformPki fits this) ---------------------------------------------------

export interface CertificateRecordView {
  _id: string;
  tenantId: string | null;
  serviceId: string | null;
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
  status: 'active' | 'revoked';
  revokedAt?: Date;
}

export interface IssuedCertificateView {
  serial: string;
  certificatePem: string;
  chainPem: string;
  caPem: string;
}

export interface IssuedKeyPairView extends IssuedCertificateView {
  privateKeyPem: string;
  pkcs12: Buffer;
  pkcs12Password: string;
}

export interface ServicePki {
  readonly rootCertificatePem: string;
  issueServiceCertificate(req: { tenantId: string; serviceId: string; csr: string }): Promise<IssuedCertificateView>;
  issueServiceKeyPair(req: { tenantId: string; serviceId: string }): Promise<IssuedKeyPairView>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- RevocationReason lives in lib/pki; validated by the route.
  revoke(serial: string, reason?: any): Promise<boolean>;
  getCertificate(serial: string): Promise<CertificateRecordView | null>;
  listCertificates(filter: { tenantId: string; serviceId?: string }): Promise<CertificateRecordView[]>;
}
