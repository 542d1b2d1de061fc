import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { L2Key } from '../../lib/keys/types.js';

/**
 * Ephemeral per-operation keys: nothing is stored. The identifier carries the derivation
 * context and a tag that proves this server minted it:
 *
 *   e1.<tenant>.<l2 version>.<nonce>.<tag>
 *
 * - `nonce`: 16 random bytes, base64url (22 characters);
 * - `tag`: 8 bytes, base64url (11 characters) = HKDF-Expand(L2 PRK, info(tenant, "", body,
 *   "kmip-ephemeral-id")), where body is the identifier up to and excluding ".<tag>";
 * - the key = HKDF-Expand(L2 PRK, info(tenant, "", body, "kmip-ephemeral"), 32).
 *
 * So a Get is one tag check and one derivation — two HMACs, no store round trip — and a forged
 * or garbled identifier fails the tag check and is answered exactly like a missing object.
 * Tenant ids never contain dots, and persisted objects use UUIDs, so the two never collide.
 */
export const EPHEMERAL_PREFIX = 'e1.';
const NONCE_BYTES = 16;
const TAG_BYTES = 8;
const PATTERN = /^e1\.([a-z0-9][a-z0-9-]{0,62})\.([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{11})$/;

export const EPHEMERAL_KEY_BYTES = 32;
const KEY_PURPOSE = 'kmip-ephemeral';
const TAG_PURPOSE = 'kmip-ephemeral-id';

export interface EphemeralId {
  readonly id: string;
  readonly tenantId: string;
  readonly l2Version: number;
  readonly body: string;
  readonly tag: string;
}

export function isEphemeralId(uid: string): boolean {
  return uid.startsWith(EPHEMERAL_PREFIX);
}

/** Parses the shape only (no tag check); undefined for anything that is not an ephemeral id. */
export function parseEphemeralId(uid: string): EphemeralId | undefined {
  const m = PATTERN.exec(uid);
  if (!m) return undefined;
  const l2Version = Number(m[2]);
  if (!Number.isSafeInteger(l2Version) || l2Version > 0xffffffff) return undefined;
  return { id: uid, tenantId: m[1]!, l2Version, body: uid.slice(0, uid.length - 12), tag: m[4]! };
}

function tagOf(l2: L2Key, body: string): Buffer {
  return l2.derive({ tenantId: l2.tenantId, serviceId: '', objectId: body, purpose: TAG_PURPOSE }, TAG_BYTES);
}

/** Mints a fresh ephemeral identifier under the tenant's L2 version. */
export function mintEphemeralId(l2: L2Key): string {
  const body = `${EPHEMERAL_PREFIX}${l2.tenantId}.${l2.version}.${randomBytes(NONCE_BYTES).toString('base64url')}`;
  return `${body}.${tagOf(l2, body).toString('base64url')}`;
}

/** True when the tag proves `id` was minted under `l2` (constant-time comparison). */
export function verifyEphemeralId(l2: L2Key, id: EphemeralId): boolean {
  if (id.tenantId !== l2.tenantId || id.l2Version !== l2.version) return false;
  const expected = tagOf(l2, id.body);
  const given = Buffer.from(id.tag, 'base64url');
  // Only the canonical spelling counts: the last base64url character has two spare bits.
  if (given.length !== TAG_BYTES || given.toString('base64url') !== id.tag) return false;
  return timingSafeEqual(expected, given);
}

/** The ephemeral key's material. The caller zeroes it once the response is encoded. */
export function deriveEphemeralKey(l2: L2Key, id: EphemeralId): Buffer {
  return l2.derive({ tenantId: l2.tenantId, serviceId: '', objectId: id.body, purpose: KEY_PURPOSE }, EPHEMERAL_KEY_BYTES);
}
