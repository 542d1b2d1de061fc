import { randomUUID } from 'node:crypto';
import { CryptographicAlgorithm, ObjectType, RNGAlgorithm, State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType, bool, dateTimeOf, enumeration, int, interval, struct } from '../codec/types.js';
import { AttributeBag } from '../objects/attribute-bag.js';
import { checkSettableAtCreation, isMultiInstance } from '../objects/attribute-policy.js';
import { settleState } from '../objects/lifecycle.js';
import type { ManagedObject, MaterialRef } from '../objects/model.js';
import type { KmipAttribute } from '../protocol/attributes.js';
import { invalidField } from '../protocol/errors.js';
import type { Op } from './context.js';

/** Custom attribute that asks Create for an ephemeral key (Boolean true, or the text "true"). */
export const EPHEMERAL_ATTRIBUTE = 'x-OpenKCM-Ephemeral';

/** How long a client may use a key before asking again (KMIP Lease Time), in seconds. */
export const LEASE_TIME_SECONDS = 3600;

export function wantsEphemeral(attrs: readonly KmipAttribute[]): boolean {
  const a = attrs.find((x) => x.name === EPHEMERAL_ATTRIBUTE);
  if (!a) return false;
  const v = a.value;
  if (v.type === ItemType.Boolean) return v.value;
  if (v.type === ItemType.TextString) return v.value.trim().toLowerCase() === 'true';
  throw invalidField(`${EPHEMERAL_ATTRIBUTE} must be a Boolean or the text "true"`);
}

/**
 * The client's template as a bag of attributes, after checking each may be set by a client.
 * Object Type, if given, must agree with the request's. Single-instance attributes given twice
 * are refused.
 */
export function templateBag(attrs: readonly KmipAttribute[], objectType: number, registering = false): AttributeBag {
  const bag = new AttributeBag();
  for (const a of attrs) {
    if (a.name === EPHEMERAL_ATTRIBUTE) continue;
    if (a.name === 'Object Type') {
      if (a.value.type !== ItemType.Enumeration || a.value.value !== objectType) throw invalidField('Object Type attribute disagrees with the request');
      continue;
    }
    const value = a.value;
    checkSettableAtCreation(a.name, value, registering);
    if (bag.has(a.name) && !isMultiInstance(a.name)) throw invalidField(`attribute ${a.name} may be given only once`);
    if (a.name === 'Usage Limits') checkUsageLimits(value);
    bag.add(a.name, value);
  }
  return bag;
}

function checkUsageLimits(v: TtlvItem): void {
  if (v.type !== ItemType.Structure) throw invalidField('Usage Limits must be a structure');
  const total = v.value.find((c) => c.tag === Tag.UsageLimitsTotal);
  const unit = v.value.find((c) => c.tag === Tag.UsageLimitsUnit);
  if (!total || total.type !== ItemType.LongInteger || total.value < 0n) throw invalidField('Usage Limits Total must be a non-negative Long Integer');
  if (total.value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidField('Usage Limits Total is too large');
  if (!unit || unit.type !== ItemType.Enumeration) throw invalidField('Usage Limits Unit is required');
}

/** Key bytes for a Create: AES 128/192/256 and Triple DES 112/168. */
export function keyBytesFor(algorithm: number, length: number): number {
  if (algorithm === CryptographicAlgorithm.AES && (length === 128 || length === 192 || length === 256)) return length / 8;
  if (algorithm === CryptographicAlgorithm.DES3 && (length === 112 || length === 168)) return length === 112 ? 16 : 24;
  throw invalidField('Create supports AES (128, 192, 256 bits) and Triple DES (112, 168 bits) keys');
}

export interface NewObjectInput {
  readonly objectType: number;
  readonly attributes: AttributeBag;
  readonly material: MaterialRef;
  /** Server-generated material (Create, ReKey): the object is "fresh" and has an RNG and creation date. */
  readonly generated: boolean;
  readonly digest?: TtlvItem;
  readonly uid?: string;
}

/** A new managed object of the caller's tenant with the server-maintained attributes filled in. */
export function newObject(op: Op, input: NewObjectInput): ManagedObject {
  const now = op.now;
  const bag = input.attributes;
  bag.set('State', enumeration(Tag.State, State.PreActive));
  bag.set('Initial Date', dateTimeOf(Tag.InitialDate, now));
  bag.set('Last Change Date', dateTimeOf(Tag.LastChangeDate, now));
  if (input.digest) bag.set('Digest', input.digest);
  if (input.generated) {
    if (!bag.has('Original Creation Date')) bag.set('Original Creation Date', dateTimeOf(Tag.OriginalCreationDate, now));
    bag.set('Fresh', bool(Tag.Fresh, true));
    // L2 and object ids come from OpenSSL's CTR-DRBG (AES-256); derived keys are HKDF of those.
    bag.set(
      'Random Number Generator',
      struct(Tag.RandomNumberGenerator, [
        enumeration(Tag.RNGAlgorithm, RNGAlgorithm.DRBG),
        enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES),
        int(Tag.CryptographicLength, 256),
      ]),
    );
  }
  if (input.objectType === ObjectType.SymmetricKey) {
    bag.set('Lease Time', interval(Tag.LeaseTime, LEASE_TIME_SECONDS));
  }
  if (!bag.has('Sensitive')) bag.set('Sensitive', bool(Tag.Sensitive, false));
  if (!bag.has('Extractable')) bag.set('Extractable', bool(Tag.Extractable, true));
  bag.set('Always Sensitive', bool(Tag.AlwaysSensitive, bag.first('Sensitive')?.value === true));
  bag.set('Never Extractable', bool(Tag.NeverExtractable, bag.first('Extractable')?.value === false));
  settleState(bag, now);
  return {
    uid: input.uid ?? randomUUID(),
    tenantId: op.tenantId,
    owner: op.serviceId,
    objectType: input.objectType,
    attributes: bag,
    material: input.material,
    usageUsed: 0,
    rev: 0,
  };
}
