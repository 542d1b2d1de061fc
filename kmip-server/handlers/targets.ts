import { createHash } from 'node:crypto';
import type { L2Key } from '../../lib/keys/types.js';
import { TenantKeyUnavailable } from '../../lib/keys/types.js';
import { CryptographicAlgorithm, CryptographicUsageMask, HashingAlgorithm, KeyFormatType, ObjectType, ResultReason, State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { bytes, enumeration, int, struct } from '../codec/types.js';
import { V2_0 } from '../codec/version.js';
import { AttributeBag } from '../objects/attribute-bag.js';
import type { EphemeralId } from '../objects/ephemeral.js';
import { EPHEMERAL_KEY_BYTES, isEphemeralId, openEphemeralId, parseEphemeralId } from '../objects/ephemeral.js';
import { isDestroyed } from '../objects/lifecycle.js';
import type { ManagedObject } from '../objects/model.js';
import { KmipError, itemNotFound } from '../protocol/errors.js';
import type { Op } from './context.js';
import { unwrapRegistered } from './key-wrapping.js';
import { type KeyUse, checkUse } from './key-use.js';

/** The exact answer for a missing object — and for another tenant's, which must look the same. */
export const notFound = (): KmipError => itemNotFound('object not found');

/** An ephemeral target carries its key: checking the identifier's tag derives it (format 2). */
export type Target = { readonly kind: 'ephemeral'; readonly id: EphemeralId; readonly l2: L2Key; readonly key: Buffer } | { readonly kind: 'stored'; readonly object: ManagedObject };

export interface ResolveOptions {
  /**
   * Lets a recently read copy of a stored object serve (ObjectRepository.cached, no store round
   * trip) when this says the operation succeeds with it; otherwise the object is read from the
   * store. Only operations that use a key pass it, so a refusal is never based on a copy.
   */
  readonly reuseIf?: (t: Target) => boolean;
}

/**
 * Resolves a Unique Identifier to the caller's object. Another tenant's object gets exactly the
 * answer a missing one gets; only the audit event learns it was a cross-tenant attempt.
 */
export async function resolveTarget(op: Op, uid: string, options: ResolveOptions = {}): Promise<Target> {
  op.objectId = uid;
  if (isEphemeralId(uid)) {
    const id = parseEphemeralId(uid);
    if (!id) throw notFound();
    if (id.tenantId !== op.tenantId) {
      // Never unwrap another tenant's key to check the tag: naming another tenant is the attempt.
      op.crossTenant = true;
      throw notFound();
    }
    let l2: L2Key;
    try {
      l2 = await op.services.keys.version(op.tenantId, id.l2Version);
    } catch (e) {
      if (e instanceof TenantKeyUnavailable && e.reason === 'unknown-version') throw notFound();
      throw e;
    }
    const key = openEphemeralId(l2, id);
    if (!key) throw notFound();
    op.session.wipe.push(key);
    op.l2Version = l2.version;
    return { kind: 'ephemeral', id, l2, key };
  }
  const copy = options.reuseIf && op.services.objects.cached(op.tenantId, uid);
  if (copy) {
    const t = storedTarget(op, copy);
    if (options.reuseIf!(t)) return t;
  }
  const object = await op.services.objects.get(op.tenantId, uid);
  if (!object) {
    // Both outcomes make the same second lookup, so timing does not tell them apart either.
    const owner = await op.services.objects.tenantOf(uid);
    if (owner !== undefined && owner !== op.tenantId) op.crossTenant = true;
    throw notFound();
  }
  return storedTarget(op, object);
}

/**
 * The key `uid` names, checked to allow `use` now (checkUse). A recent copy serves when it
 * allows the use; a refusal always comes from the stored object.
 */
export async function resolveForUse(op: Op, uid: string, use: KeyUse): Promise<Target> {
  const t = await resolveTarget(op, uid, { reuseIf: (copy) => succeeds(() => checkUse(op, copy, use)) });
  checkUse(op, t, use);
  return t;
}

/** True when `check` does not throw: turns a handler's own checks into a `reuseIf`. */
export function succeeds(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

function storedTarget(op: Op, object: ManagedObject): Target {
  if (object.material.kind === 'derived' || object.material.kind === 'sealed') op.l2Version = object.material.l2Version;
  return { kind: 'stored', object };
}

/** A stored object or a refusal for operations that do not apply to ephemeral keys. */
export async function resolveStored(op: Op, uid: string, what: string): Promise<ManagedObject> {
  const t = await resolveTarget(op, uid);
  if (t.kind === 'ephemeral') throw new KmipError(ResultReason.PermissionDenied, `ephemeral keys cannot be ${what}: nothing about them is stored`);
  return t.object;
}

export function destroyedError(op: Op): KmipError {
  return op.version >= V2_0
    ? new KmipError(ResultReason.ObjectDestroyed, 'the object is destroyed')
    : new KmipError(ResultReason.PermissionDenied, 'the object is destroyed');
}

/**
 * The material of a target, recomputed from L2 (derived and ephemeral keys) or opened from
 * its sealed blob (registered secrets; a key registered wrapped is unwrapped with its KEK, or
 * with `asRegistered` left wrapped). Registered on the session for zeroing after encoding.
 */
export async function materialOf(op: Op, t: Target, opts: { asRegistered?: boolean } = {}): Promise<Buffer | undefined> {
  if (t.kind === 'ephemeral') {
    // A copy per use: whatever a caller does with it, the next use gets the key.
    const key = Buffer.from(t.key);
    op.session.wipe.push(key);
    return key;
  }
  const o = t.object;
  const m = o.material;
  if (m.kind === 'none') return undefined;
  if (m.kind === 'destroyed') throw destroyedError(op);
  const l2 = await op.services.keys.version(o.tenantId, m.l2Version);
  const key = m.kind === 'derived' ? deriveObjectKey(l2, o, m.length) : l2.open(m.sealed, sealAad(o.tenantId, o.uid));
  op.session.wipe.push(key);
  const wrapping = m.format.wrapping;
  if (!wrapping || opts.asRegistered) return key;
  const clear = await unwrapRegistered(op, wrapping, key);
  op.session.wipe.push(clear);
  return clear;
}

/** Derived-key context: bound to tenant, owning service, object id and purpose. */
export function deriveObjectKey(l2: L2Key, o: Pick<ManagedObject, 'tenantId' | 'owner' | 'uid'>, length: number): Buffer {
  return l2.derive({ tenantId: o.tenantId, serviceId: o.owner, objectId: o.uid, purpose: 'kmip-object' }, length);
}

/** Associated data of a sealed registered secret: it opens only for this tenant and object. */
export function sealAad(tenantId: string, uid: string): Buffer {
  return Buffer.from(`${tenantId}|${uid}`, 'utf8');
}

/** The KMIP Digest attribute (SHA-256 of the key material as its format type presents it). */
export function digestOf(material: Uint8Array, keyFormatType: number): TtlvItem {
  return struct(Tag.Digest, [
    enumeration(Tag.HashingAlgorithm, HashingAlgorithm.SHA_256),
    bytes(Tag.DigestValue, createHash('sha256').update(material).digest()),
    enumeration(Tag.KeyFormatType, keyFormatType),
  ]);
}

/** Fixed attributes of every ephemeral key: AES-256, Active, Encrypt|Decrypt. */
export function ephemeralAttributes(): AttributeBag {
  return AttributeBag.from([
    ['Cryptographic Algorithm', enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES)],
    ['Cryptographic Length', int(Tag.CryptographicLength, EPHEMERAL_KEY_BYTES * 8)],
    ['Cryptographic Usage Mask', int(Tag.CryptographicUsageMask, CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt)],
    ['State', enumeration(Tag.State, State.Active)],
  ]);
}

export const EPHEMERAL_OBJECT_TYPE = ObjectType.SymmetricKey;
export const EPHEMERAL_FORMAT = KeyFormatType.Raw;

export function assertNotDestroyed(op: Op, state: number): void {
  if (isDestroyed(state)) throw destroyedError(op);
}
