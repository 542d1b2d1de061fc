/**
 * What the API, the CLI and the workflows agree on: workflow ids, inputs, results, signals.
 * Types and pure functions only — workflow code imports this, so it must stay deterministic.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import type { DiagnosticResult, DiagnosticStep } from '../lib/keystores/types.js';

export const TASK_QUEUE_DEFAULT = 'openkcm';

/** Lets the Temporal UI list every workflow of a tenant (`TenantId = "acme"`). */
export const TenantIdSearchAttribute = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);

/** Workflow ids are derived from the tenant, so a duplicate start finds the running one. */
export const workflowIds = {
  provision: (tenantId: string) => `tenant-provision/${tenantId}`,
  offboard: (tenantId: string) => `tenant-offboard/${tenantId}`,
  testL1: (tenantId: string, configId: string, nonce: string) => `l1-test/${tenantId}/${configId}/${nonce}`,
  activateL1: (tenantId: string) => `l1-activate/${tenantId}`,
  health: (tenantId: string) => `l1-health/${tenantId}`,
  rotateL2: (tenantId: string) => `l2-rotate/${tenantId}`,
  revokeL1: (tenantId: string) => `l1-revoke/${tenantId}`,
} as const;

export interface Actor {
  kind: 'user' | 'platform' | 'system';
  id: string;
}

export interface ProvisionTenantInput {
  tenantId: string;
  displayName: string;
  /** The Platform Mesh event that asked for it. */
  eventId: string;
  /** Escalate and mark the tenant Degraded if not Ready within this many ms. */
  slaMs: number;
}

export interface ProvisionTenantResult {
  tenantId: string;
  status: 'ready';
  durationMs: number;
  escalated: boolean;
}

export interface TestL1Input {
  tenantId: string;
  configId: string;
  actor: Actor;
  /**
   * The nonce of the workflow id (workflowIds.testL1): the steps are recorded under it as they
   * complete, so `GET /api/l1/configs/:id/tests/:testId` can show them live. Optional only for
   * workflows started before it existed.
   */
  testId?: string;
}

export interface TestL1Result {
  ok: boolean;
  steps: DiagnosticResult[];
  failedStep?: DiagnosticStep;
}

export interface ActivateL1Input {
  tenantId: string;
  configId: string;
  actor: Actor;
  slaMs: number;
  healthIntervalMs: number;
}

export interface ActivateL1Result {
  ok: boolean;
  status: 'active' | 'error';
  reason?: string;
  failedStep?: DiagnosticStep;
  l2Version?: number;
  /** KMIP nodes that confirmed they dropped their cached keys. */
  nodesInvalidated: number;
  durationMs: number;
}

export interface HealthInput {
  tenantId: string;
  intervalMs: number;
  /** Checks left before continue-as-new keeps the history short. */
  checksBeforeContinue?: number;
}

export interface RotateL2Input {
  tenantId: string;
  actor: Actor;
}

export interface RotateL2Result {
  l2Version: number;
  nodesInvalidated: number;
}

export interface RevokeL1Input {
  tenantId: string;
  actor: Actor;
  reason: string;
}

export interface OffboardTenantInput {
  tenantId: string;
  eventId: string;
  actor: Actor;
}

export interface OffboardTenantResult {
  certificatesRevoked: number;
  keyVersionsShredded: number;
}

export const signals = {
  /** Ask the health workflow to check now (e.g. after the customer re-enabled the key). */
  checkNow: 'checkNow',
  stopHealth: 'stopHealth',
} as const;

export const queries = {
  provisioningStep: 'provisioningStep',
  activationStep: 'activationStep',
} as const;
