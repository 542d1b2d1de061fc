import { timingSafeEqual } from 'node:crypto';
import { publicRandomBase64url } from '../../lib/crypto/public-random.js';
import type { L2Key } from '../../lib/keys/types.js';

/**
 * Ephemeral per-operation keys: nothing is stored. The identifier carries the derivation
 * context and a tag that proves this server minted it:
 *
 *   e<format>.<tenant>.<l2 version>.<nonce>.<tag>
 *
 * - `nonce`: 16 random bytes, base64url (22 characters);
 * - `tag`: 8 bytes, base64url (11 characters); `body` is the identifier up to and excluding
 *   ".<tag>".
 *
 * Format 2 (minted now): HKDF-Expand-SHA512(L2 PRK, info(tenant, "", body, "kmip-ephemeral-v2"),
 * 40) gives the key (bytes 0–31) and the tag (bytes 32–39) from one HMAC, so a Get is one HMAC
 * and no store round trip. Revealing the tag reveals nothing about the key: HKDF's output bytes
 * are independent, which is the same property that lets one Expand feed several keys. The PRK
 * is the hierarchy's 32-byte HKDF-SHA256 one (RFC 5869 suggests 64 for SHA-512): as an HMAC
 * key it still gives a 256-bit PRF, the strength of every other key derived from L2.
 *
 * Format 1 (read only, for identifiers already stored in documents): tag = HKDF-Expand(L2 PRK,
 * info(tenant, "", body, "kmip-ephemeral-id"), 8) and key = HKDF-Expand(L2 PRK, info(tenant,
 * "", body, "kmip-ephemeral"), 32): two HMACs.
 *
 * A forged or garbled identifier fails the tag check and is answered exactly like a missing
 * object. Tenant ids never contain dots, and persisted objects use UUIDs, so the two never
 * collide.
 */
const NONCE_BYTES = 16;
const TAG_BYTES = 8;
const PATTERN = /^e([12])\.([a-z0-9][a-z0-9-]{0,62})\.([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{11})$/;
const MINTED_FORMAT = 2;

export const EPHEMERAL_KEY_BYTES = 32;
const V1_KEY_PURPOSE = 'kmip-ephemeral';
const V1_TAG_PURPOSE = 'kmip-ephemeral-id';
const V2_PURPOSE = 'kmip-ephemeral-v2';

export interface EphemeralId {
  readonly id: string;
  readonly format: 1 | 2;
  readonly tenantId: string;
  readonly l2Version: number;
  readonly body: string;
  readonly tag: string;
}

export function isEphemeralId(uid: string): boolean {
  return uid.startsWith('e2.') || uid.startsWith('e1.');
}

/** Parses the shape only (no tag check); undefined for anything that is not an ephemeral id. */
export function parseEphemeralId(uid: string): EphemeralId | undefined {
  const m = PATTERN.exec(uid);
  if (!m) return undefined;
  const l2Version = Number(m[3]);
  if (!Number.isSafeInteger(l2Version) || l2Version > 0xffffffff) return undefined;
  return { id: uid, format: m[1] === '1' ? 1 : 2, tenantId: m[2]!, l2Version, body: uid.slice(0, uid.length - 12), tag: m[5]! };
}

/** Mints a fresh ephemeral identifier under the tenant's L2 version. */
export function mintEphemeralId(l2: L2Key): string {
  const body = `e${MINTED_FORMAT}.${l2.tenantId}.${l2.version}.${publicRandomBase64url(NONCE_BYTES)}`;
  const keyAndTag = v2KeyAndTag(l2, body);
  const tag = keyAndTag.subarray(EPHEMERAL_KEY_BYTES).toString('base64url');
  keyAndTag.fill(0);
  return `${body}.${tag}`;
}

/**
 * The key `id` names, when its tag proves it was minted under `l2` (constant-time
 * comparison); undefined otherwise. The caller zeroes the key.
 */
export function openEphemeralId(l2: L2Key, id: EphemeralId): Buffer | undefined {
  if (id.tenantId !== l2.tenantId || id.l2Version !== l2.version) return undefined;
  const given = Buffer.from(id.tag, 'base64url');
  // Only the canonical spelling counts: the last base64url character has two spare bits.
  if (given.length !== TAG_BYTES || given.toString('base64url') !== id.tag) return undefined;
  if (id.format === 1) {
    const expected = v1Derive(l2, id.body, V1_TAG_PURPOSE, TAG_BYTES);
    const valid = timingSafeEqual(expected, given);
    expected.fill(0);
    return valid ? v1Derive(l2, id.body, V1_KEY_PURPOSE, EPHEMERAL_KEY_BYTES) : undefined;
  }
  const keyAndTag = v2KeyAndTag(l2, id.body);
  if (!timingSafeEqual(keyAndTag.subarray(EPHEMERAL_KEY_BYTES), given)) {
    keyAndTag.fill(0);
    return undefined;
  }
  const key = Buffer.from(keyAndTag.subarray(0, EPHEMERAL_KEY_BYTES));
  keyAndTag.fill(0);
  return key;
}

function v2KeyAndTag(l2: L2Key, body: string): Buffer {
  return l2.derive({ tenantId: l2.tenantId, serviceId: '', objectId: body, purpose: V2_PURPOSE }, EPHEMERAL_KEY_BYTES + TAG_BYTES, 'sha512');
}

function v1Derive(l2: L2Key, body: string, purpose: string, length: number): Buffer {
  return l2.derive({ tenantId: l2.tenantId, serviceId: '', objectId: body, purpose }, length);
}
