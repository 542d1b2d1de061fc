import { IDENTIFIER_PATTERN } from '../pki/names.js';

/**
 * What an audit event says. It never carries key material or secrets: `details` holds only
 * short scalars (no objects, no buffers), values that look like PEM blocks are refused, and
 * detail names that suggest a secret (password, token, privateKey, …) are refused too. Put
 * identifiers (key ids, ARNs, object ids), never values.
 */
export type ActorKind = 'service' | 'user' | 'system' | 'platform';
export type AuditResult = 'success' | 'failure' | 'denied';
export type DetailValue = string | number | boolean;

export interface AuditActor {
  kind: ActorKind;
  /** e.g. a service SPIFFE id, a user id, a workflow id. */
  id: string;
}

export interface AuditEvent {
  /** Defaults to the writer's clock when the event is recorded. */
  time?: Date;
  /** The tenant the event belongs to; null for platform-wide events (CA creation, startup). */
  tenantId: string | null;
  actor: AuditActor;
  /** Dotted name, e.g. `kmip.Get`, `l1.activate`, `tenant.provision`. */
  operation: string;
  objectId?: string;
  l2Version?: number;
  result: AuditResult;
  reason?: string;
  /** True when the caller tried to reach another tenant's object (REQ-014). */
  crossTenant?: boolean;
  latencyMs?: number;
  clientAddress?: string;
  details?: Record<string, DetailValue>;
}

export class AuditEventError extends Error {
  override readonly name = 'AuditEventError';
}

const ACTOR_KINDS: ReadonlySet<string> = new Set(['service', 'user', 'system', 'platform']);
const RESULTS: ReadonlySet<string> = new Set(['success', 'failure', 'denied']);
const OPERATION = /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/;
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const SECRET_LIKE_KEY = /secret|passw|passphrase|private|token|credential|^pin$|^key$|material|plaintext/i;
const MAX_DETAILS = 32;
const MAX_DETAIL_STRING = 512;

/** Throws AuditEventError naming the offending field (never its value). */
export function validateAuditEvent(event: AuditEvent): void {
  if (typeof event !== 'object' || event === null) throw new AuditEventError('audit event must be an object');
  if (event.time !== undefined && !(event.time instanceof Date && Number.isFinite(event.time.getTime()))) {
    throw new AuditEventError('time must be a valid Date');
  }
  if (event.tenantId !== null && !(typeof event.tenantId === 'string' && IDENTIFIER_PATTERN.test(event.tenantId))) {
    throw new AuditEventError('tenantId must be a tenant id or null');
  }
  if (typeof event.actor !== 'object' || event.actor === null || !ACTOR_KINDS.has(event.actor.kind)) {
    throw new AuditEventError('actor.kind must be service, user, system or platform');
  }
  text(event.actor.id, 'actor.id', 256, true);
  if (typeof event.operation !== 'string' || !OPERATION.test(event.operation)) {
    throw new AuditEventError(`operation must match ${OPERATION.source}`);
  }
  if (!RESULTS.has(event.result)) throw new AuditEventError('result must be success, failure or denied');
  text(event.objectId, 'objectId', 256, false);
  text(event.reason, 'reason', 1024, false);
  text(event.clientAddress, 'clientAddress', 128, false);
  if (event.l2Version !== undefined && !(Number.isSafeInteger(event.l2Version) && event.l2Version >= 0)) {
    throw new AuditEventError('l2Version must be a non-negative integer');
  }
  if (event.latencyMs !== undefined && !(Number.isFinite(event.latencyMs) && event.latencyMs >= 0)) {
    throw new AuditEventError('latencyMs must be a finite non-negative number');
  }
  if (event.crossTenant !== undefined && typeof event.crossTenant !== 'boolean') {
    throw new AuditEventError('crossTenant must be a boolean');
  }
  if (event.details !== undefined) validateDetails(event.details);
}

function validateDetails(details: Record<string, unknown>): void {
  if (typeof details !== 'object' || details === null || Array.isArray(details) || Object.getPrototypeOf(details) !== Object.prototype) {
    throw new AuditEventError('details must be a plain object of scalars');
  }
  const keys = Object.keys(details);
  if (keys.length > MAX_DETAILS) throw new AuditEventError(`details may have at most ${MAX_DETAILS} entries`);
  for (const key of keys) {
    if (!DETAIL_KEY.test(key)) throw new AuditEventError(`details key must match ${DETAIL_KEY.source}`);
    if (SECRET_LIKE_KEY.test(key)) throw new AuditEventError(`details.${key}: names that suggest secrets are not allowed in audit events`);
    const value = details[key];
    if (typeof value === 'string') {
      text(value, `details.${key}`, MAX_DETAIL_STRING, false);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new AuditEventError(`details.${key} must be a finite number`);
    } else if (typeof value !== 'boolean') {
      throw new AuditEventError(`details.${key} must be a string, number or boolean`);
    }
  }
}

/** Compiled once: the bundler turns a `u`-flag literal into `new RegExp(…)`, which would run per call. */
const LONE_SURROGATE = /\p{Cs}/u;

function text(value: unknown, field: string, max: number, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || (required && value.length === 0)) throw new AuditEventError(`${field} must be a string`);
  if (value.length > max) throw new AuditEventError(`${field} is longer than ${max} characters`);
  // Lone surrogates would not survive UTF-8 storage unchanged and so would break the hash chain.
  if (LONE_SURROGATE.test(value)) throw new AuditEventError(`${field} is not well-formed Unicode`);
  if (value.includes('-----BEGIN')) throw new AuditEventError(`${field} looks like a PEM block; audit events never carry key material`);
}
