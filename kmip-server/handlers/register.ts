import { randomUUID } from 'node:crypto';
import { CryptographicAlgorithm, KeyFormatType, ObjectType, ResultReason } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType, enumeration, int, text } from '../codec/types.js';
import type { AttributeBag } from '../objects/attribute-bag.js';
import { enumAttr, intAttr } from '../objects/document.js';
import type { MaterialFormat, MaterialRef } from '../objects/model.js';
import { readAttributes } from '../protocol/attributes.js';
import { KmipError, featureNotSupported, invalidField, missingData } from '../protocol/errors.js';
import type { Fields } from '../protocol/payload.js';
import type { OpHandler } from './context.js';
import { type WrappingRequest, readWrapping, registeredWrapping, wrappedBytesOf } from './key-wrapping.js';
import { newObject, templateBag } from './new-object.js';
import { digestOf, sealAad } from './targets.js';

interface Parsed {
  /** The secret bytes (a copy the decoder made), or the wrapped bytes; zeroed once sealed. */
  readonly material: Buffer | undefined;
  readonly format: MaterialFormat;
  readonly digestFormat?: number;
  /** Key Wrapping Data: `material` is wrapped and is kept as registered. */
  readonly wrapping?: WrappingRequest;
}

/**
 * Register: a client-supplied Symmetric Key, Secret Data (libmongocrypt registers a 96-byte
 * Seed) or Opaque Object. The material is stored only sealed under the tenant's L2
 * (AES-256-GCM, tenant|uid as associated data) and the plaintext copy is zeroed.
 */
export const register: OpHandler = async (p, _ctx, op) => {
  const objectType = p.enum(Tag.ObjectType);
  const bag = templateBag(readAttributes(p), objectType, true);
  let parsed: Parsed;
  switch (objectType) {
    case ObjectType.SymmetricKey:
      parsed = symmetricKey(p.struct(Tag.SymmetricKey), bag);
      break;
    case ObjectType.SecretData: {
      const s = p.struct(Tag.SecretData);
      parsed = keyBlock(s.struct(Tag.KeyBlock), [KeyFormatType.Opaque, KeyFormatType.Raw]);
      parsed = { ...parsed, format: { ...parsed.format, secretDataType: s.enum(Tag.SecretDataType) } };
      break;
    }
    case ObjectType.OpaqueObject: {
      const s = p.struct(Tag.OpaqueObject);
      parsed = { material: Buffer.from(s.bytes(Tag.OpaqueDataValue)), format: { opaqueDataType: s.enum(Tag.OpaqueDataType) } };
      break;
    }
    default:
      throw featureNotSupported('OpenKCM registers Symmetric Keys, Secret Data and Opaque Objects');
  }
  const uid = randomUUID();
  let material: MaterialRef;
  let digest: TtlvItem | undefined;
  if (parsed.material === undefined) {
    material = { kind: 'none', format: parsed.format };
  } else {
    try {
      const format = parsed.wrapping ? { ...parsed.format, wrapping: await registeredWrapping(op, parsed.wrapping) } : parsed.format;
      const l2 = await op.services.keys.current(op.tenantId);
      material = { kind: 'sealed', l2Version: l2.version, sealed: l2.seal(parsed.material, sealAad(op.tenantId, uid)), format };
      // The digest is of the clear key, which a wrapped registration does not show the server.
      if (parsed.digestFormat !== undefined && !parsed.wrapping) digest = digestOf(parsed.material, parsed.digestFormat);
      op.l2Version = l2.version;
    } finally {
      parsed.material.fill(0);
    }
  }
  const object = newObject(op, { uid, objectType, attributes: bag, material, generated: false, digest });
  op.objectId = uid;
  await op.services.objects.insert(object);
  return [text(Tag.UniqueIdentifier, uid)];
};

function keyBlock(kb: Fields, formats: readonly number[]): Parsed & { algorithm?: number; length?: number } {
  const keyFormatType = kb.enum(Tag.KeyFormatType);
  if (!formats.includes(keyFormatType)) throw new KmipError(ResultReason.KeyFormatTypeNotSupported, 'key format type not supported for this object type');
  if (kb.has(Tag.KeyCompressionType)) throw new KmipError(ResultReason.KeyCompressionTypeNotSupported, 'compressed keys are not supported');
  const algorithm = kb.enumOpt(Tag.CryptographicAlgorithm);
  const length = kb.intOpt(Tag.CryptographicLength);
  const kvItem = kb.first(Tag.KeyValue);
  const wrappingData = kb.structOpt(Tag.KeyWrappingData);
  if (wrappingData) {
    if (kvItem === undefined) throw missingData('a wrapped key block needs its Key Value');
    if (keyFormatType === KeyFormatType.TransparentSymmetricKey) throw invalidField('a wrapped key is registered in Raw format');
    return { material: wrappedBytesOf(kvItem), format: { keyFormatType }, algorithm, length, wrapping: readWrapping(wrappingData) };
  }
  if (kvItem === undefined) return { material: undefined, format: { keyFormatType }, algorithm, length };
  if (kvItem.type !== ItemType.Structure) throw invalidField('Key Value must be a structure unless the key block carries Key Wrapping Data');
  const kv = kb.struct(Tag.KeyValue);
  const km = kv.first(Tag.KeyMaterial);
  let material: Buffer;
  if (km?.type === ItemType.ByteString) {
    material = Buffer.from(km.value);
    km.value.fill(0);
  } else if (km?.type === ItemType.Structure && keyFormatType === KeyFormatType.TransparentSymmetricKey) {
    const k = kv.struct(Tag.KeyMaterial).bytes(Tag.Key);
    material = Buffer.from(k);
    k.fill(0);
  } else {
    throw invalidField('Key Material must be a Byte String for this key format type');
  }
  return { material, format: { keyFormatType: keyFormatType === KeyFormatType.TransparentSymmetricKey ? KeyFormatType.Raw : keyFormatType }, digestFormat: keyFormatType === KeyFormatType.TransparentSymmetricKey ? KeyFormatType.Raw : keyFormatType, algorithm, length };
}

function symmetricKey(s: Fields, bag: AttributeBag): Parsed {
  const parsed = keyBlock(s.struct(Tag.KeyBlock), [KeyFormatType.Raw, KeyFormatType.TransparentSymmetricKey]);
  const algorithm = parsed.algorithm ?? enumAttr(bag, 'Cryptographic Algorithm');
  // A wrapped key's length cannot be read off its (wrapped) bytes: it must be given.
  const length = parsed.length ?? intAttr(bag, 'Cryptographic Length') ?? (parsed.material && !parsed.wrapping ? parsed.material.length * 8 : undefined);
  try {
    if (algorithm === undefined) throw invalidField('a Symmetric Key needs a Cryptographic Algorithm');
    if (length === undefined) throw invalidField('a Symmetric Key needs a Cryptographic Length');
    const given = enumAttr(bag, 'Cryptographic Algorithm');
    if (given !== undefined && given !== algorithm) throw invalidField('Cryptographic Algorithm disagrees with the key block');
    const givenLength = intAttr(bag, 'Cryptographic Length');
    if (givenLength !== undefined && givenLength !== length) throw invalidField('Cryptographic Length disagrees with the key block');
    if (parsed.material && !parsed.wrapping) checkKeyLength(algorithm, length, parsed.material.length);
  } catch (e) {
    parsed.material?.fill(0);
    throw e;
  }
  if (!bag.has('Cryptographic Algorithm')) bag.add('Cryptographic Algorithm', enumeration(Tag.CryptographicAlgorithm, algorithm));
  if (!bag.has('Cryptographic Length')) bag.add('Cryptographic Length', int(Tag.CryptographicLength, length));
  return parsed;
}

function checkKeyLength(algorithm: number, bits: number, bytes: number): void {
  if (algorithm === CryptographicAlgorithm.DES3) {
    if ((bytes === 24 && (bits === 168 || bits === 192)) || (bytes === 16 && (bits === 112 || bits === 128))) return;
    throw invalidField('Triple DES key material must be 16 or 24 bytes');
  }
  if (bits !== bytes * 8) throw invalidField('Cryptographic Length does not match the key material');
}
