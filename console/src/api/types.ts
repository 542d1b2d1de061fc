/**
 * The shapes of docs/api.md, as the console sees them. Keep in step with the contract.
 * This file has no imports so the browser tests can reuse it for their fixtures.
 */

export type Role = 'admin' | 'auditor';

export interface User {
  username: string;
  role: Role;
  tenantId: string;
}

export interface LoginRequest {
  tenantId: string;
  username: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  user: User;
}

export type TenantStatus = 'provisioning' | 'ready' | 'degraded' | 'offboarding' | 'offboarded';
export type L1Status = 'inactive' | 'activating' | 'active' | 'error' | 'revoked';

export interface L1State {
  status: L1Status;
  reason?: string;
  configId?: string;
  currentL2Version?: number;
  checkedAt?: string;
  changedAt: string;
}

export interface Tenant {
  id: string;
  displayName: string;
  status: TenantStatus;
  statusReason?: string;
  createdAt: string;
  readyAt?: string;
  provisioningDurationMs?: number;
  l1: L1State;
  services: { total: number };
  kmip: { endpoint: string };
}

export type KeystoreKind = 'aws-kms' | 'azure-keyvault' | 'pkcs11' | 'kmip';

export interface AwsKmsSettings {
  keyArn: string;
  region?: string;
  roleArn?: string;
  externalId?: string;
  endpoint?: string;
}
export interface AwsKmsSecrets {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

export type AzureKeyAlgorithm = 'RSA-OAEP-256' | 'A256KW';
export interface AzureKeyVaultSettings {
  keyUrl: string;
  tenantDirectoryId: string;
  clientId: string;
  algorithm?: AzureKeyAlgorithm;
  /** Entra ID authority for sovereign clouds or a test identity provider. */
  authorityHost?: string;
  /** Extra CA to trust (private endpoints, emulators). */
  caCertPem?: string;
}
export interface AzureKeyVaultSecrets {
  clientSecret: string;
}

export type Pkcs11Mechanism = 'aes-gcm' | 'aes-key-wrap-pad';
export interface Pkcs11Settings {
  modulePath: string;
  tokenLabel?: string;
  slot?: number;
  keyLabel: string;
  /** CKA_ID in hex, when several keys share the label. */
  keyId?: string;
  mechanism?: Pkcs11Mechanism;
}
export interface Pkcs11Secrets {
  pin: string;
}

export interface KmipSettings {
  host: string;
  port: number;
  keyId: string;
  caCertPem: string;
  clientCertPem: string;
  serverName?: string;
}
export interface KmipSecrets {
  clientKeyPem: string;
  clientKeyPassphrase?: string;
}

export type L1ConfigInput =
  | { kind: 'aws-kms'; label: string; settings: AwsKmsSettings; secrets: AwsKmsSecrets }
  | { kind: 'azure-keyvault'; label: string; settings: AzureKeyVaultSettings; secrets: AzureKeyVaultSecrets }
  | { kind: 'pkcs11'; label: string; settings: Pkcs11Settings; secrets: Pkcs11Secrets }
  | { kind: 'kmip'; label: string; settings: KmipSettings; secrets: KmipSecrets };

export const DIAGNOSTIC_STEPS = ['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip'] as const;
export type DiagnosticStep = (typeof DIAGNOSTIC_STEPS)[number];

export interface DiagnosticStepResult {
  step: DiagnosticStep;
  status: 'passed' | 'failed' | 'skipped';
  message: string;
  durationMs: number;
}

export interface TestResult {
  ok: boolean;
  failedStep?: DiagnosticStep;
  steps: DiagnosticStepResult[];
}

/** A step of a running test: as the worker reported it, or `pending` (no message yet). */
export interface ConnectionTestStep {
  step: DiagnosticStep;
  status: DiagnosticStepResult['status'] | 'pending';
  message?: string;
  durationMs?: number;
}

/** `GET /api/l1/configs/:id/tests/:testId`: a connection test while it runs and after. */
export interface ConnectionTest {
  testId: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: string;
  /** All six steps in order. */
  steps: ConnectionTestStep[];
  /** Once completed. */
  result?: TestResult;
  /** Why a failed test could not run to the end. */
  reason?: string;
}

export interface L1Config {
  id: string;
  kind: KeystoreKind;
  label: string;
  settings: Record<string, unknown>;
  secretsConfigured: string[];
  createdAt: string;
  createdBy: string;
  state: 'draft' | 'active' | 'retired';
  lastTest?: TestResult & { at: string };
}

export interface ActivateResult {
  ok: boolean;
  status: 'active' | 'error';
  reason?: string;
  failedStep?: DiagnosticStep;
  l2Version?: number;
  nodesInvalidated?: number;
  durationMs?: number;
}

export interface Activation {
  workflowId: string;
  /**
   * Not in docs/api.md yet (proposed): the workflow id is the same for every activation of a
   * tenant, so only a run id or start time tells this activation from the previous one.
   */
  runId?: string;
  startedAt?: string;
  step: string;
  status: 'running' | 'completed' | 'failed';
  result?: ActivateResult;
}

export interface Service {
  serviceId: string;
  description?: string;
  createdAt: string;
  spiffeId: string;
  activeCertificates: number;
  /** Provisioning generated a bundle for this service (the default `mongodb`) that was not handed over yet. */
  bundlePending?: boolean;
}

export interface Certificate {
  serial: string;
  serviceId: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  status: 'active' | 'revoked' | 'expired';
  revokedAt?: string;
}

export interface ServiceDetail extends Service {
  certificates: Certificate[];
}

export type CertificateRequest = { csrPem: string } | { generate: true };

export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'privilegeWithdrawn';

export interface IssuedCertificate {
  certificate: Certificate;
  certificatePem: string;
  /** Leaf followed by the issuing CA. */
  chainPem: string;
  /** The platform root that clients trust for the KMIP server. */
  caPem?: string;
  privateKeyPem?: string;
  pkcs12Base64?: string;
  pkcs12Password?: string;
}

export interface Snippets {
  kmipEndpoint: string;
  caPem: string;
  nodeCsfle: string;
  pythonCsfle: string;
  mongodEncryptionAtRest: string;
  fieldEncryptionClient: string;
}

export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  id: string;
  time: string;
  /** kind: user | service | system | platform; a service's id is its SPIFFE id. */
  actor: { kind: string; id: string };
  serviceId?: string;
  operation: string;
  objectId?: string;
  l2Version?: number;
  result: AuditResult;
  reason?: string;
  crossTenant?: boolean;
  latencyMs?: number;
  clientAddress?: string;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  from?: string;
  to?: string;
  actor?: string;
  operation?: string;
  result?: AuditResult;
  objectId?: string;
  serviceId?: string;
  crossTenant?: boolean;
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor?: string;
}

/** `problem` starts with its kind: altered, missing, out-of-order, truncated, unanchored-tail. */
export type AuditProblem =
  | string
  | { chain?: string; sequence?: number; recordId?: string; problem?: string; message?: string; [key: string]: unknown };

export interface AuditVerification {
  ok: boolean;
  chains: number;
  records: number;
  problems: AuditProblem[];
  verifiedAt: string;
}

export interface Notification {
  id: string;
  kind: string;
  title: string;
  message: string;
  createdAt: string;
  readAt?: string;
}

export interface UsagePoint {
  minute: string;
  operations: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface Usage {
  series: UsagePoint[];
  /** The contract names `totals` without a shape; the console reads these fields when present. */
  totals?: { operations?: number; errors?: number; p50Ms?: number | null; p99Ms?: number | null };
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface Items<T> {
  items: T[];
}
