import { CryptographicAlgorithm, KeyFormatType, KeyWrapType, ObjectType, ResultReason } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem, TtlvStructure } from '../codec/types.js';
import { bool, bytes, enumeration, int, struct, text } from '../codec/types.js';
import { enumAttr, intAttr } from '../objects/document.js';
import { effectiveState, isDestroyed } from '../objects/lifecycle.js';
import type { KeyWrapping, ManagedObject } from '../objects/model.js';
import { ConcurrentModificationError } from '../objects/repository.js';
import { KmipError, featureNotSupported, invalidField, missingData } from '../protocol/errors.js';
import { asRegistered, checkExport, readWrapping, wrapKeyValue } from './key-wrapping.js';
import type { Op, OpHandler } from './context.js';
import type { Target } from './targets.js';
import { EPHEMERAL_FORMAT, assertNotDestroyed, materialOf, resolveTarget, succeeds } from './targets.js';

/**
 * Get: the key as the client asked for it — including while Pre-Active (mongod fetches its
 * key before activating it) — in the clear inside mTLS, or wrapped under another of the
 * tenant's keys when the request carries a Key Wrapping Specification (handlers/key-wrapping.ts).
 * Ephemeral keys are re-derived from their identifier; created keys from L2; registered ones
 * are opened from their sealed blob. The bytes go into the response tree and are zeroed once
 * the response is encoded.
 */
export const get: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  const wrapSpec = p.structOpt(Tag.KeyWrappingSpecification);
  const wrapping = wrapSpec ? readWrapping(wrapSpec) : undefined;
  const wrapType = p.enumOpt(Tag.KeyWrapType);
  if (wrapType !== undefined && wrapType !== KeyWrapType.NotWrapped && wrapType !== KeyWrapType.AsRegistered) {
    throw new KmipError(ResultReason.KeyWrapTypeNotSupported, 'key wrap type not supported');
  }
  if (wrapping && wrapType === KeyWrapType.AsRegistered) throw invalidField('a key is returned either as registered or wrapped as specified, not both');
  if (p.has(Tag.KeyCompressionType)) throw new KmipError(ResultReason.KeyCompressionTypeNotSupported, 'key compression is not supported');
  const requestedFormat = p.enumOpt(Tag.KeyFormatType);

  // Registered wrapped and asked for as registered: the stored bytes as they came, no KEK involved.
  const registeredOf = (t: Target): KeyWrapping | undefined => (t.kind === 'stored' && wrapType === KeyWrapType.AsRegistered ? t.object.material.format.wrapping : undefined);
  const exportCheck = (t: Target): void => checkExport(op, t, wrapping !== undefined || registeredOf(t) !== undefined);
  const t = await resolveTarget(op, uid, { reuseIf: (copy) => servableCopy(op, copy) && succeeds(() => exportCheck(copy)) });
  const registered = registeredOf(t);
  exportCheck(t);
  const wrap = wrapping && ((keyMaterial: TtlvItem, raw: Buffer) => wrapKeyValue(op, wrapping, keyMaterial, raw));
  if (t.kind === 'ephemeral') {
    const key = (await materialOf(op, t))!;
    return [
      enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
      text(Tag.UniqueIdentifier, uid),
      await symmetricKeyItem(key, EPHEMERAL_FORMAT, requestedFormat, CryptographicAlgorithm.AES, key.length * 8, wrap),
    ];
  }
  const o = t.object;
  assertNotDestroyed(op, effectiveState(o.attributes, op.now));
  const material = await materialOf(op, t, { asRegistered: registered !== undefined });
  const object = await objectItem(o, material, requestedFormat, registered ? async (_km, raw) => asRegistered(registered, raw) : wrap);
  await markNotFresh(op, o);
  return [enumeration(Tag.ObjectType, o.objectType), text(Tag.UniqueIdentifier, o.uid), object];
};

/** Replaces a clear Key Value by its wrapped form plus Key Wrapping Data. */
type Wrap = (keyMaterial: TtlvItem, raw: Buffer) => Promise<TtlvItem[]>;

async function objectItem(o: ManagedObject, material: Buffer | undefined, requested: number | undefined, wrap: Wrap | undefined): Promise<TtlvStructure> {
  const format = o.material.format;
  switch (o.objectType) {
    case ObjectType.SymmetricKey:
      return symmetricKeyItem(
        material,
        format.keyFormatType ?? KeyFormatType.Raw,
        requested,
        enumAttr(o.attributes, 'Cryptographic Algorithm'),
        intAttr(o.attributes, 'Cryptographic Length'),
        wrap,
      );
    case ObjectType.SecretData: {
      const stored = format.keyFormatType ?? KeyFormatType.Opaque;
      if (requested !== undefined && requested !== stored) throw formatNotSupported();
      return struct(Tag.SecretData, [enumeration(Tag.SecretDataType, format.secretDataType ?? 0), await keyBlockItem(stored, material, undefined, undefined, wrap)]);
    }
    case ObjectType.OpaqueObject:
      if (requested !== undefined && requested !== KeyFormatType.Opaque) throw formatNotSupported();
      if (wrap) throw featureNotSupported('an Opaque Object has no key block to wrap');
      return struct(Tag.OpaqueObject, [enumeration(Tag.OpaqueDataType, format.opaqueDataType ?? 0), bytes(Tag.OpaqueDataValue, material ?? Buffer.alloc(0))]);
    default:
      throw featureNotSupported('object type not supported');
  }
}

const formatNotSupported = (): KmipError => new KmipError(ResultReason.KeyFormatTypeNotSupported, 'the key cannot be returned in that key format type');

async function symmetricKeyItem(
  material: Buffer | undefined,
  stored: number,
  requested: number | undefined,
  algorithm: number | undefined,
  length: number | undefined,
  wrap: Wrap | undefined,
): Promise<TtlvStructure> {
  const format = requested ?? stored;
  if (format !== KeyFormatType.Raw && format !== KeyFormatType.TransparentSymmetricKey) throw formatNotSupported();
  return struct(Tag.SymmetricKey, [await keyBlockItem(format, material, algorithm, length, wrap)]);
}

/**
 * KeyFormatType, KeyValue{KeyMaterial}, CryptographicAlgorithm, CryptographicLength — mongod
 * reads them in this order — and, wrapped, the Key Value as a Byte String and Key Wrapping Data last.
 */
async function keyBlockItem(format: number, material: Buffer | undefined, algorithm: number | undefined, length: number | undefined, wrap: Wrap | undefined): Promise<TtlvStructure> {
  const v: TtlvItem[] = [enumeration(Tag.KeyFormatType, format)];
  let wrappingData: TtlvItem | undefined;
  if (material !== undefined) {
    const km = format === KeyFormatType.TransparentSymmetricKey ? struct(Tag.KeyMaterial, [bytes(Tag.Key, material)]) : bytes(Tag.KeyMaterial, material);
    if (wrap) {
      const [keyValue, data] = await wrap(km, material);
      v.push(keyValue!);
      wrappingData = data;
    } else {
      v.push(struct(Tag.KeyValue, [km]));
    }
  } else if (wrap) {
    throw missingData('the object has no key value to wrap');
  }
  if (algorithm !== undefined) v.push(enumeration(Tag.CryptographicAlgorithm, algorithm));
  if (length !== undefined) v.push(int(Tag.CryptographicLength, length));
  if (wrappingData) v.push(wrappingData);
  return struct(Tag.KeyBlock, v);
}

/** A copy of a stored key may answer a Get unless it is destroyed, or still Fresh (clearing that is a write). */
function servableCopy(op: Op, t: Target): boolean {
  if (t.kind !== 'stored') return false;
  const o = t.object;
  return o.material.kind !== 'destroyed' && !isDestroyed(effectiveState(o.attributes, op.now)) && o.attributes.first('Fresh')?.value !== true;
}

/** Fresh becomes false once the key has been served (KMIP 1.1 §3.34); one write, first Get only. */
async function markNotFresh(op: Op, o: ManagedObject): Promise<void> {
  const fresh = o.attributes.first('Fresh');
  if (!fresh || fresh.value !== true) return;
  const next = { ...o, attributes: o.attributes.clone() };
  next.attributes.set('Fresh', bool(Tag.Fresh, false));
  try {
    await op.services.objects.replace(next);
  } catch (e) {
    // Someone else changed the object (perhaps served it first): Fresh is theirs to clear.
    if (!(e instanceof ConcurrentModificationError)) throw e;
  }
}
