import { CryptographicAlgorithm, EncodingOption, ObjectType, ResultReason, WrappingMethod } from '../codec/enums.js';
import { decodeTtlv } from '../codec/decoder.js';
import { encodeTtlv } from '../codec/encoder.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem, TtlvStructure } from '../codec/types.js';
import { ItemType, bytes, enumeration, struct, text } from '../codec/types.js';
import { V1_4 } from '../codec/version.js';
import { unwrapKey, wrapKey, wrapModeOf } from '../crypto/key-wrap.js';
import { enumAttr } from '../objects/document.js';
import type { KeyWrapping } from '../objects/model.js';
import { KmipError, type ResultReasonCode, cryptographicFailure, featureNotSupported, invalidField, missingData } from '../protocol/errors.js';
import { Fields } from '../protocol/payload.js';
import type { Op } from './context.js';
import { KEY_USE, checkUse, consumeUsage, type KeyUse } from './key-use.js';
import { type Target, materialOf, resolveTarget, succeeds } from './targets.js';

/**
 * Key wrapping (KMIP 1.4 §2.1.5, §2.1.6) with AES Key Wrap (RFC 3394, NISTKeyWrap) or AES Key
 * Wrap with Padding (RFC 5649), under another AES key of the same tenant, its KEK:
 * - Get with a Key Wrapping Specification: the key leaves the server wrapped — to move it into
 *   an HSM or another KMS without its plaintext in the response. The KEK must be Active and
 *   allow Wrap Key (its Usage Limits count).
 * - Register with Key Wrapping Data: the key is kept as registered (sealed under L2 like any
 *   registered key) and Get with Key Wrap Type "As Registered" returns it so. Whenever its clear
 *   value is needed (Get, Encrypt, …) it is unwrapped with the KEK, which must allow Unwrap Key.
 * TTLV encoding (the default) wraps the Key Value structure, No Encoding the raw key bytes.
 */
export interface WrappingRequest {
  readonly keyId: string;
  /** BlockCipherMode as the request gave it; else the KEK's Cryptographic Parameters decide. */
  readonly mode: number | undefined;
  /** EncodingOption as the request gave it (echoed); TTLV when absent. */
  readonly encoding: number | undefined;
}

/** Key Wrapping Specification (Get) or Key Wrapping Data (Register): the parts this server supports. */
export function readWrapping(w: Fields): WrappingRequest {
  if (w.enum(Tag.WrappingMethod) !== WrappingMethod.Encrypt) throw featureNotSupported('keys are wrapped by the Encrypt wrapping method only');
  if (w.has(Tag.MACSignatureKeyInformation) || w.has(Tag.MACSignature)) throw featureNotSupported('MAC/signature key wrapping is not supported');
  if (w.has(Tag.AttributeName)) throw featureNotSupported('wrapping attributes together with the key is not supported');
  if (w.has(Tag.IVCounterNonce)) throw featureNotSupported('AES key wrap takes no IV');
  const eki = w.structOpt(Tag.EncryptionKeyInformation);
  if (!eki) throw missingData(`${w.path}: Encryption Key Information is required`);
  const encoding = w.enumOpt(Tag.EncodingOption);
  if (encoding !== undefined && encoding !== EncodingOption.NoEncoding && encoding !== EncodingOption.TTLVEncoding) {
    throw new KmipError(ResultReason.EncodingOptionError, 'encoding option must be No Encoding or TTLV Encoding');
  }
  return { keyId: eki.text(Tag.UniqueIdentifier), encoding, mode: eki.structOpt(Tag.CryptographicParameters)?.enumOpt(Tag.BlockCipherMode) };
}

/**
 * The KEK as a target, checked to be an AES key of this tenant; the operation's audit event keeps
 * naming its own object. For a key use (`use`: wrap or unwrap) a recent copy serves if the use
 * would succeed with it, as for any key use (objects/read-cache.ts); Register reads the store.
 */
async function resolveKek(op: Op, keyId: string, use?: KeyUse): Promise<Target> {
  const { objectId, l2Version } = op;
  // Named before resolving, so an attempt on another tenant's key is on record with its id.
  op.related = { ...op.related, wrappingKey: keyId };
  let kek: Target;
  try {
    kek = await resolveTarget(op, keyId, use ? { reuseIf: (copy) => succeeds(() => checkKek(copy)) && succeeds(() => checkUse(op, copy, use)) } : {});
  } finally {
    op.objectId = objectId;
    op.l2Version = l2Version;
  }
  checkKek(kek);
  return kek;
}

function checkKek(kek: Target): void {
  if (kek.kind === 'stored' && (kek.object.objectType !== ObjectType.SymmetricKey || enumAttr(kek.object.attributes, 'Cryptographic Algorithm') !== CryptographicAlgorithm.AES)) {
    throw invalidField('the wrapping key must be an AES symmetric key');
  }
}

function kekMode(kek: Target): number | undefined {
  if (kek.kind !== 'stored') return undefined;
  const params = kek.object.attributes.first('Cryptographic Parameters');
  return params?.type === ItemType.Structure ? new Fields(params, 'Cryptographic Parameters').enumOpt(Tag.BlockCipherMode) : undefined;
}

/** The KEK's material for `use`, its usage counted. */
async function kekMaterial(op: Op, kek: Target, use: KeyUse, dataBytes: number): Promise<Buffer> {
  checkUse(op, kek, use);
  const key = await materialOf(op, kek);
  if (!key) throw missingData('the wrapping key has no key value');
  await consumeUsage(op, kek, dataBytes);
  return key;
}

/** The Key Value as it travels wrapped: with No Encoding a structure around the wrapped Key Material (as the OASIS cases show), else a Byte String. */
function wrappedKeyValue(encoding: number | undefined, wrapped: Buffer): TtlvItem {
  return encoding === EncodingOption.NoEncoding ? struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, wrapped)]) : bytes(Tag.KeyValue, wrapped);
}

function keyWrappingData(w: { keyId: string; mode: number; encoding: number | undefined }): TtlvStructure {
  const data: TtlvItem[] = [
    enumeration(Tag.WrappingMethod, WrappingMethod.Encrypt),
    struct(Tag.EncryptionKeyInformation, [text(Tag.UniqueIdentifier, w.keyId), struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, w.mode)])]),
  ];
  if (w.encoding !== undefined) data.push(enumeration(Tag.EncodingOption, w.encoding));
  return struct(Tag.KeyWrappingData, data);
}

/** Get: the wrapped Key Value and its Key Wrapping Data, for a key block whose clear Key Material item is `keyMaterial` (`raw`: its bytes). */
export async function wrapKeyValue(op: Op, w: WrappingRequest, keyMaterial: TtlvItem, raw: Buffer): Promise<TtlvItem[]> {
  const noEncoding = w.encoding === EncodingOption.NoEncoding;
  if (noEncoding && keyMaterial.type !== ItemType.ByteString) {
    throw new KmipError(ResultReason.EncodingOptionError, 'No Encoding wraps raw key bytes; this key format is a structure (use TTLV encoding)');
  }
  const kek = await resolveKek(op, w.keyId, KEY_USE.wrapKey);
  const mode = wrapModeOf(w.mode ?? kekMode(kek));
  const plaintext = noEncoding ? raw : encodeTtlv(struct(Tag.KeyValue, [keyMaterial]));
  try {
    const key = await kekMaterial(op, kek, KEY_USE.wrapKey, plaintext.length);
    return [wrappedKeyValue(w.encoding, wrapKey(mode, key, plaintext)), keyWrappingData({ keyId: w.keyId, mode, encoding: w.encoding })];
  } finally {
    if (!noEncoding) plaintext.fill(0);
  }
}

/** Register: how the key was wrapped, once its KEK is known to be an AES key of this tenant. */
export async function registeredWrapping(op: Op, w: WrappingRequest): Promise<KeyWrapping> {
  const kek = await resolveKek(op, w.keyId);
  // One level only: a KEK that is itself kept wrapped could close a cycle of keys each needing the other.
  if (kek.kind === 'stored' && kek.object.material.format.wrapping) throw invalidField('the wrapping key is itself registered wrapped; wrap under a key the server holds in the clear');
  return { keyId: w.keyId, mode: wrapModeOf(w.mode ?? kekMode(kek)), encoding: w.encoding ?? EncodingOption.TTLVEncoding };
}

/** Get "As Registered": the key block's Key Value and Key Wrapping Data as they came in. */
export function asRegistered(w: KeyWrapping, wrapped: Buffer): TtlvItem[] {
  return [wrappedKeyValue(w.encoding, wrapped), keyWrappingData(w)];
}

/** The clear key bytes of a key registered wrapped; the caller zeroes them. */
export async function unwrapRegistered(op: Op, w: KeyWrapping, wrapped: Buffer): Promise<Buffer> {
  const kek = await resolveKek(op, w.keyId, KEY_USE.unwrapKey);
  const key = await kekMaterial(op, kek, KEY_USE.unwrapKey, wrapped.length);
  const clear = unwrapKey(wrapModeOf(w.mode), key, wrapped);
  if (w.encoding === EncodingOption.NoEncoding) return clear;
  try {
    const item = decodeTtlv(clear);
    const km = item.type === ItemType.Structure && item.tag === Tag.KeyValue ? new Fields(item, 'KeyValue').first(Tag.KeyMaterial) : undefined;
    const bytesItem = km?.type === ItemType.Structure ? new Fields(km, 'KeyMaterial').first(Tag.Key) : km;
    if (bytesItem?.type !== ItemType.ByteString) throw cryptographicFailure('the unwrapped Key Value holds no key material');
    const material = Buffer.from(bytesItem.value);
    bytesItem.value.fill(0);
    return material;
  } catch (e) {
    if (e instanceof KmipError) throw e;
    throw cryptographicFailure('the unwrapped bytes are not a TTLV Key Value');
  } finally {
    clear.fill(0);
  }
}

/** Registered key blocks: a Key Value wrapped with No Encoding holds the wrapped bytes as its Key Material; with TTLV it is a Byte String. */
export function wrappedBytesOf(kv: TtlvItem): Buffer {
  if (kv.type === ItemType.ByteString) return Buffer.from(kv.value);
  if (kv.type === ItemType.Structure) {
    const km = new Fields(kv, 'KeyValue').first(Tag.KeyMaterial);
    if (km?.type === ItemType.ByteString) return Buffer.from(km.value);
  }
  throw invalidField('a wrapped Key Value must be a Byte String, or a structure whose Key Material is a Byte String');
}

/**
 * Sensitive keys leave the server only wrapped; non-extractable keys not at all (KMIP 1.4
 * §3.48–3.51, as PKCS#11's CKA_SENSITIVE and CKA_EXTRACTABLE).
 */
export function checkExport(op: Op, t: Target, wrapped: boolean): void {
  if (t.kind !== 'stored') return;
  const bag = t.object.attributes;
  const refuse = (reason: ResultReasonCode, msg: string): KmipError => new KmipError(op.version >= V1_4 ? reason : ResultReason.PermissionDenied, msg);
  if (bag.first('Extractable')?.value === false) throw refuse(ResultReason.NotExtractable, 'the key is not extractable: it never leaves the server');
  if (!wrapped && bag.first('Sensitive')?.value === true) {
    throw refuse(ResultReason.Sensitive, 'the key is sensitive: it leaves the server only wrapped (Get with a Key Wrapping Specification)');
  }
}
