/**
 * The activities the workflows call, as one interface. Workflows import this file's types
 * only (`import type`); `activities/index.ts` builds the implementation from real dependencies.
 */
import type { Actor, TestL1Result } from '../workflows/contracts.js';
import type { L1Status, TenantStatus } from '../lib/tenants/model.js';

export interface AuditInput {
  tenantId: string;
  actor: Actor;
  operation: string;
  result: 'success' | 'failure' | 'denied';
  reason?: string;
  objectId?: string;
  l2Version?: number;
  details?: Record<string, string | number | boolean>;
}

export interface NotificationInput {
  tenantId: string;
  kind: 'console-available' | 'l1-activated' | 'l1-error' | 'l1-recovered' | 'l1-revoked' | 'l2-rotated' | 'escalation' | 'tenant-offboarded';
  title: string;
  message: string;
  /** Deduplicates retries: one notification per key. */
  dedupeKey: string;
}

export interface HealthCheckResult {
  status: L1Status;
  healthy: boolean;
  /** Why the check failed, safe to show. */
  reason?: string;
  /** Transient failures (network, throttling) need confirming before the key is marked Error. */
  failureKind?: 'transient' | 'permanent';
}

export interface TenantActivities {
  createTenantRecord(input: { tenantId: string; displayName: string }): Promise<{ createdAt: string }>;
  setTenantStatus(input: { tenantId: string; status: TenantStatus; reason?: string }): Promise<void>;
  ensurePlatformPki(): Promise<void>;
  /** Registers the tenant's default MongoDB service and issues its first certificate (once). */
  ensureDefaultServiceIdentity(input: { tenantId: string }): Promise<{ serviceId: string; serial: string }>;
  /** Creates the tenant administrator (once); the initial password travels only in the notification. */
  ensureTenantAdmin(input: { tenantId: string }): Promise<{ username: string; created: boolean }>;
  revokeTenantCertificates(input: { tenantId: string }): Promise<{ revoked: number }>;
  deleteTenantData(input: { tenantId: string }): Promise<{ objectsDeleted: number }>;
}

export interface KeyActivities {
  /**
   * Runs the connection diagnostics on a fresh connector and records the result as the last
   * test. With a `testId`, each step is also recorded as it completes (the config's live test).
   */
  runL1Diagnostics(input: { tenantId: string; configId: string; testId?: string }): Promise<TestL1Result>;
  getL1State(input: { tenantId: string }): Promise<{ status: L1Status; configId?: string; currentL2Version?: number }>;
  /** Marks the key Activating unless it is Active (a re-activation keeps serving); returns the status before. */
  beginActivation(input: { tenantId: string; configId: string }): Promise<{ previousStatus: L1Status }>;
  /** Sets the L1 status; configId and currentL2Version keep their value when omitted, reason is cleared. */
  setL1State(input: { tenantId: string; status: L1Status; reason?: string; configId?: string; currentL2Version?: number }): Promise<void>;
  /** Creates L2 v1 under the configured L1, or re-wraps existing versions when L1 changed. */
  prepareTenantKey(input: { tenantId: string; configId: string }): Promise<{ l2Version: number; created: boolean; rewrapped: number }>;
  createNextL2Version(input: { tenantId: string }): Promise<{ l2Version: number }>;
  /** Describes the L1 key and proves it still unwraps the current L2 version. Never throws for keystore errors. */
  checkL1Health(input: { tenantId: string }): Promise<HealthCheckResult>;
  shredTenantKeys(input: { tenantId: string }): Promise<{ shredded: number }>;
}

export interface CryptoServiceActivities {
  /** Drops the tenant's cached keys on every live KMIP node; fails unless every node confirms. */
  invalidateKmipCaches(input: { tenantId: string }): Promise<{ nodes: number }>;
}

export interface NotificationActivities {
  recordNotification(input: NotificationInput): Promise<{ notificationId: string }>;
  /** Delivers to the configured outgoing webhook; retried by Temporal until it succeeds. */
  deliverNotification(input: { notificationId: string }): Promise<{ delivered: boolean }>;
  recordAudit(input: AuditInput): Promise<void>;
}

export type OpenKcmActivities = TenantActivities & KeyActivities & CryptoServiceActivities & NotificationActivities;
