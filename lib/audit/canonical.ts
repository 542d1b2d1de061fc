import { hash } from 'node:crypto';
import type { AuditActor, AuditResult, DetailValue } from './event.js';

/**
 * The one definition of what an audit record's hash covers. Every field, in a fixed order,
 * absent optional fields as null, details sorted by name; JSON of that array, UTF-8, SHA-256.
 * Changing this function changes every hash: bump the label and keep the old one for verify.
 */
export const AUDIT_HASH_LABEL = 'openkcm.audit.v1';

/** The hashed part of a stored record (what the writer produces and the verifier re-reads). */
export interface ChainedFields {
  chainId: string;
  seq: number;
  prevHash: string;
  time: Date;
  tenantId: string | null;
  actor: AuditActor;
  operation: string;
  objectId?: string | null;
  l2Version?: number | null;
  result: AuditResult;
  reason?: string | null;
  crossTenant?: boolean | null;
  latencyMs?: number | null;
  clientAddress?: string | null;
  details?: Record<string, DetailValue> | null;
}

export function canonicalEncoding(r: ChainedFields): string {
  const details = r.details
    ? Object.keys(r.details)
        .sort()
        .map((k) => [k, r.details![k]])
    : null;
  return JSON.stringify([
    AUDIT_HASH_LABEL,
    r.chainId,
    r.seq,
    r.prevHash,
    isoTime(r.time),
    r.tenantId ?? null,
    r.actor.kind,
    r.actor.id,
    r.operation,
    r.objectId ?? null,
    r.l2Version ?? null,
    r.result,
    r.reason ?? null,
    r.crossTenant ?? null,
    r.latencyMs ?? null,
    r.clientAddress ?? null,
    details,
  ]);
}

/** The last time written, as text: a busy server records many events within one millisecond. */
let lastMs = Number.NaN;
let lastIso = '';

function isoTime(time: Date): string {
  const ms = time.getTime();
  // NaN never equals itself, so an invalid date still reaches toISOString and throws there.
  if (ms !== lastMs) {
    lastIso = time.toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/** One-shot `hash()`: every KMIP operation hashes its audit record, and a Hash object costs three times as much. */
export function recordHash(r: ChainedFields): string {
  return hashOfEncoding(canonicalEncoding(r));
}

/** The hash of a record whose canonical encoding the caller already has. */
export function hashOfEncoding(canonical: string): string {
  return hash('sha256', canonical, 'hex');
}

/** prevHash of a chain's first record: bound to the chain id, so records cannot move between chains. */
export function genesisHash(chainId: string): string {
  return hash('sha256', `${AUDIT_HASH_LABEL}\0genesis\0${chainId}`, 'hex');
}
