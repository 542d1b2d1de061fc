/**
 * A tenant as OpenKCM sees it: its provisioning state and the state of its L1 key. The KMIP
 * server gates every operation on `l1.status === 'active'`.
 */

/** Tenant and service identifiers: DNS-label-like, so they fit certificate names and URIs. */
export const IDENTIFIER_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isValidIdentifier(value: string): boolean {
  return IDENTIFIER_PATTERN.test(value);
}

export type TenantStatus = 'provisioning' | 'ready' | 'degraded' | 'offboarding' | 'offboarded';

/** What the console shows for the L1 key: Inactive, Activating, Active, Error (with reason), Revoked. */
export type L1Status = 'inactive' | 'activating' | 'active' | 'error' | 'revoked';

export interface TenantL1State {
  status: L1Status;
  /** Why the key is in Error or Revoked; safe to show. */
  reason?: string;
  /** The L1 configuration in use (lib/tenants l1Configs). */
  configId?: string;
  /** The newest L2 version; new objects derive from it. */
  currentL2Version?: number;
  checkedAt?: Date;
  changedAt: Date;
}

export interface TenantRecord {
  _id: string;
  displayName: string;
  status: TenantStatus;
  statusReason?: string;
  createdAt: Date;
  readyAt?: Date;
  l1: TenantL1State;
  /** Bumped on every change, so pollers can ask "what changed since". */
  updatedAt: Date;
}
