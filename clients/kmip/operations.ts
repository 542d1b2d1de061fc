import { attributeTag } from '../../kmip-server/codec/attributes.js';
import {
  CryptographicAlgorithm,
  CryptographicUsageMask,
  HashingAlgorithm,
  KeyFormatType,
  NameType,
  ObjectType,
  Operation,
  QueryFunction,
  SecretDataType,
  ValidityIndicator,
  WrappingMethod,
} from '../../kmip-server/codec/enums.js';
import { Tag, tagInfo, tagName } from '../../kmip-server/codec/tags.js';
import type { TtlvItem, TtlvStructure } from '../../kmip-server/codec/types.js';
import { ItemType, bool, bytes, dateTimeOf, enumeration, int, struct, text } from '../../kmip-server/codec/types.js';
import type { ProtocolVersion, VersionCode } from '../../kmip-server/codec/version.js';
import { V2_0 } from '../../kmip-server/codec/version.js';
import type { KmipAttribute } from '../../kmip-server/protocol/attributes.js';
import { attribute1x, attributeOf, readAttribute1x, writeAttributes } from '../../kmip-server/protocol/attributes.js';
import { Fields } from '../../kmip-server/protocol/payload.js';

/**
 * One KMIP operation as the client sends it: how to build the request payload for a protocol
 * version, and how to read the response payload. Typed client methods and batches both use these.
 */
export interface KmipOperation<T> {
  readonly operation: number;
  build(version: VersionCode): TtlvItem[];
  parse(payload: Fields, version: VersionCode): T;
}

/** Attributes as callers give them: tagged values (2.x style); named for 1.x automatically. */
export type AttributeInput = TtlvItem | KmipAttribute;

function toAttribute(a: AttributeInput): KmipAttribute {
  return 'name' in a ? a : attributeOf(a);
}

const uidItem = (uid: string | undefined): TtlvItem[] => (uid === undefined ? [] : [text(Tag.UniqueIdentifier, uid)]);

/** Name attribute value (Uninterpreted Text String). */
export function nameAttribute(name: string): TtlvStructure {
  return struct(Tag.Name, [text(Tag.NameValue, name), enumeration(Tag.NameType, NameType.UninterpretedTextString)]);
}

export interface CreateOptions {
  readonly algorithm?: number;
  readonly length?: number;
  readonly usageMask?: number;
  readonly name?: string;
  /** Further attributes (tagged values, e.g. `dateTimeOf(Tag.ActivationDate, d)`). */
  readonly attributes?: readonly AttributeInput[];
}

export interface CreatedObject {
  readonly objectType: number;
  readonly uniqueIdentifier: string;
}

export function create(o: CreateOptions = {}): KmipOperation<CreatedObject> {
  return {
    operation: Operation.Create,
    build(v) {
      const attrs: AttributeInput[] = [
        enumeration(Tag.CryptographicAlgorithm, o.algorithm ?? CryptographicAlgorithm.AES),
        int(Tag.CryptographicLength, o.length ?? 256),
        int(Tag.CryptographicUsageMask, o.usageMask ?? CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt),
      ];
      if (o.name !== undefined) attrs.push(nameAttribute(o.name));
      attrs.push(...(o.attributes ?? []));
      return [enumeration(Tag.ObjectType, ObjectType.SymmetricKey), writeAttributes(attrs.map(toAttribute), v)];
    },
    parse: (p) => ({ objectType: p.enum(Tag.ObjectType), uniqueIdentifier: p.text(Tag.UniqueIdentifier) }),
  };
}

export interface RegisterOptions {
  readonly objectType: number;
  /** The managed object structure (SymmetricKey, SecretData, OpaqueObject…). */
  readonly object: TtlvStructure;
  readonly attributes?: readonly AttributeInput[];
}

export function register(o: RegisterOptions): KmipOperation<string> {
  return {
    operation: Operation.Register,
    build: (v) => [enumeration(Tag.ObjectType, o.objectType), writeAttributes((o.attributes ?? []).map(toAttribute), v), o.object],
    parse: (p) => p.text(Tag.UniqueIdentifier),
  };
}

function keyBlock(formatType: number, material: Uint8Array, algorithm?: number, length?: number): TtlvStructure {
  const v: TtlvItem[] = [enumeration(Tag.KeyFormatType, formatType), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, material)])];
  if (algorithm !== undefined) v.push(enumeration(Tag.CryptographicAlgorithm, algorithm));
  if (length !== undefined) v.push(int(Tag.CryptographicLength, length));
  return struct(Tag.KeyBlock, v);
}

/** A SymmetricKey managed object with Raw key material. */
export function symmetricKeyObject(key: Uint8Array, algorithm: number = CryptographicAlgorithm.AES): TtlvStructure {
  return struct(Tag.SymmetricKey, [keyBlock(KeyFormatType.Raw, key, algorithm, key.length * 8)]);
}

/** A SecretData managed object (as libmongocrypt registers: Seed, Opaque format). */
export function secretDataObject(data: Uint8Array, secretDataType: number = SecretDataType.Seed): TtlvStructure {
  return struct(Tag.SecretData, [enumeration(Tag.SecretDataType, secretDataType), keyBlock(KeyFormatType.Opaque, data)]);
}

export interface GetOptions {
  readonly keyFormatType?: number;
  /** KeyWrapType: As Registered returns a key registered wrapped as it was registered. */
  readonly keyWrapType?: number;
  /** Return the key wrapped under this key-encryption key (Wrapping Method Encrypt). */
  readonly wrap?: {
    readonly keyId: string;
    /** BlockCipherMode NISTKeyWrap or AESKeyWrapPadding; default: the KEK's Cryptographic Parameters. */
    readonly mode?: number;
    /** EncodingOption; the server's default is TTLV (the wrapped bytes are a Key Value structure). */
    readonly encoding?: number;
  };
}

export interface ManagedObject {
  readonly objectType: number;
  readonly uniqueIdentifier: string;
  /** The object structure as returned (SymmetricKey, SecretData, …). */
  readonly object: TtlvStructure;
  /** Key material when it is a plain byte string (Raw / Opaque key formats), or the wrapped Key Value. Zero it after use. */
  readonly keyMaterial?: Uint8Array;
  readonly algorithm?: number;
  readonly length?: number;
  /** Present when the key came wrapped: how (Key Wrapping Data). */
  readonly keyWrappingData?: Fields;
}

export function get(uid?: string, o: GetOptions = {}): KmipOperation<ManagedObject> {
  return {
    operation: Operation.Get,
    build: () => {
      const v = uidItem(uid);
      if (o.keyFormatType !== undefined) v.push(enumeration(Tag.KeyFormatType, o.keyFormatType));
      if (o.keyWrapType !== undefined) v.push(enumeration(Tag.KeyWrapType, o.keyWrapType));
      if (o.wrap) v.push(keyWrappingSpecification(o.wrap));
      return v;
    },
    parse: (p) => {
      const objectType = p.enum(Tag.ObjectType);
      const uniqueIdentifier = p.text(Tag.UniqueIdentifier);
      const objectItem = p.children.find((c) => c.tag !== Tag.ObjectType && c.tag !== Tag.UniqueIdentifier && c.type === ItemType.Structure);
      if (!objectItem || objectItem.type !== ItemType.Structure) throw new Error('Get response carries no managed object');
      const obj = new Fields(objectItem);
      const kb = obj.structOpt(Tag.KeyBlock);
      // Wrapped, the Key Value is a Byte String (the wrapped bytes) instead of a structure.
      const wrapped = kb?.first(Tag.KeyValue)?.type === ItemType.ByteString;
      const kv = wrapped ? undefined : kb?.structOpt(Tag.KeyValue);
      return {
        objectType,
        uniqueIdentifier,
        object: objectItem,
        keyMaterial: wrapped ? kb?.bytes(Tag.KeyValue) : kv?.bytesOpt(Tag.KeyMaterial),
        algorithm: kb?.enumOpt(Tag.CryptographicAlgorithm),
        length: kb?.intOpt(Tag.CryptographicLength),
        keyWrappingData: kb?.structOpt(Tag.KeyWrappingData),
      };
    },
  };
}

function keyWrappingSpecification(w: NonNullable<GetOptions['wrap']>): TtlvStructure {
  const eki: TtlvItem[] = [text(Tag.UniqueIdentifier, w.keyId)];
  if (w.mode !== undefined) eki.push(struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, w.mode)]));
  const spec: TtlvItem[] = [enumeration(Tag.WrappingMethod, WrappingMethod.Encrypt), struct(Tag.EncryptionKeyInformation, eki)];
  if (w.encoding !== undefined) spec.push(enumeration(Tag.EncodingOption, w.encoding));
  return struct(Tag.KeyWrappingSpecification, spec);
}

function readReturnedAttributes(p: Fields): KmipAttribute[] {
  const a2 = p.structOpt(Tag.Attributes);
  if (a2) return a2.children.map((c) => attributeOf(c));
  return p.structs(Tag.Attribute).map(readAttribute1x);
}

/** GetAttributes; `names` are 1.x attribute names ("State", "Cryptographic Length"…). */
export function getAttributes(uid?: string, names: readonly string[] = []): KmipOperation<KmipAttribute[]> {
  return {
    operation: Operation.GetAttributes,
    build: (v) => {
      const out = uidItem(uid);
      for (const n of names) {
        const tag = attributeTag(n);
        if (v >= V2_0 && tag !== undefined) out.push(enumeration(Tag.AttributeReference, tag));
        else out.push(text(Tag.AttributeName, n));
      }
      return out;
    },
    parse: readReturnedAttributes,
  };
}

export function getAttributeList(uid?: string): KmipOperation<string[]> {
  return {
    operation: Operation.GetAttributeList,
    build: () => uidItem(uid),
    parse: (p) => {
      if (p.has(Tag.AttributeReference)) return p.enums(Tag.AttributeReference).map((t) => tagInfo(t)?.specName ?? tagName(t));
      return p.texts(Tag.AttributeName);
    },
  };
}

function attributeEdit(operation: number, newTag: number, uid: string | undefined, a: AttributeInput): KmipOperation<KmipAttribute | undefined> {
  const attr = toAttribute(a);
  return {
    operation,
    build: (v) => (v >= V2_0 ? [...uidItem(uid), struct(newTag, [attr.value])] : [...uidItem(uid), attribute1x(attr)]),
    parse: (p) => {
      const one = p.structOpt(Tag.Attribute);
      return one ? readAttribute1x(one) : undefined;
    },
  };
}

export const addAttribute = (uid: string | undefined, a: AttributeInput): KmipOperation<KmipAttribute | undefined> =>
  attributeEdit(Operation.AddAttribute, Tag.NewAttribute, uid, a);
export const modifyAttribute = (uid: string | undefined, a: AttributeInput): KmipOperation<KmipAttribute | undefined> =>
  attributeEdit(Operation.ModifyAttribute, Tag.NewAttribute, uid, a);

export function deleteAttribute(uid: string | undefined, name: string, index?: number): KmipOperation<void> {
  return {
    operation: Operation.DeleteAttribute,
    build: (v) => {
      const tag = attributeTag(name);
      if (v >= V2_0 && tag !== undefined) return [...uidItem(uid), enumeration(Tag.AttributeReference, tag)];
      const out = [...uidItem(uid), text(Tag.AttributeName, name)];
      if (index !== undefined) out.push(int(Tag.AttributeIndex, index));
      return out;
    },
    parse: () => undefined,
  };
}

const uidOnly = (operation: number) => (uid?: string): KmipOperation<string> => ({
  operation,
  build: () => uidItem(uid),
  parse: (p) => p.text(Tag.UniqueIdentifier),
});

export const activate = uidOnly(Operation.Activate);
export const destroy = uidOnly(Operation.Destroy);

export interface RevokeOptions {
  readonly message?: string;
  readonly compromiseOccurrenceDate?: Date;
}

export function revoke(uid: string | undefined, reasonCode: number, o: RevokeOptions = {}): KmipOperation<string> {
  return {
    operation: Operation.Revoke,
    build: () => {
      const reason: TtlvItem[] = [enumeration(Tag.RevocationReasonCode, reasonCode)];
      if (o.message !== undefined) reason.push(text(Tag.RevocationMessage, o.message));
      const out = [...uidItem(uid), struct(Tag.RevocationReason, reason)];
      if (o.compromiseOccurrenceDate) out.push(dateTimeOf(Tag.CompromiseOccurrenceDate, o.compromiseOccurrenceDate));
      return out;
    },
    parse: (p) => p.text(Tag.UniqueIdentifier),
  };
}

export interface LocateOptions {
  readonly attributes?: readonly AttributeInput[];
  readonly maximumItems?: number;
  readonly offsetItems?: number;
}

export function locate(o: LocateOptions = {}): KmipOperation<string[]> {
  return {
    operation: Operation.Locate,
    build: (v) => {
      const out: TtlvItem[] = [];
      if (o.maximumItems !== undefined) out.push(int(Tag.MaximumItems, o.maximumItems));
      if (o.offsetItems !== undefined) out.push(int(Tag.OffsetItems, o.offsetItems));
      const attrs = (o.attributes ?? []).map(toAttribute);
      if (v >= V2_0) out.push(writeAttributes(attrs, v));
      else out.push(...attrs.map(attribute1x));
      return out;
    },
    parse: (p) => p.texts(Tag.UniqueIdentifier),
  };
}

export interface CryptoParams {
  readonly blockCipherMode?: number;
  readonly paddingMethod?: number;
  readonly algorithm?: number;
  readonly tagLength?: number;
  readonly randomIV?: boolean;
  readonly ivLength?: number;
}

function cryptoParams(c: CryptoParams): TtlvStructure {
  const v: TtlvItem[] = [];
  if (c.blockCipherMode !== undefined) v.push(enumeration(Tag.BlockCipherMode, c.blockCipherMode));
  if (c.paddingMethod !== undefined) v.push(enumeration(Tag.PaddingMethod, c.paddingMethod));
  if (c.algorithm !== undefined) v.push(enumeration(Tag.CryptographicAlgorithm, c.algorithm));
  if (c.randomIV !== undefined) v.push(bool(Tag.RandomIV, c.randomIV));
  if (c.ivLength !== undefined) v.push(int(Tag.IVLength, c.ivLength));
  if (c.tagLength !== undefined) v.push(int(Tag.TagLength, c.tagLength));
  return struct(Tag.CryptographicParameters, v);
}

export interface CipherOptions {
  readonly parameters?: CryptoParams;
  readonly iv?: Uint8Array;
  readonly aad?: Uint8Array;
  /** Decrypt only: the authenticated-encryption tag. */
  readonly tag?: Uint8Array;
}

export interface CipherResult {
  readonly uniqueIdentifier: string;
  readonly data: Uint8Array;
  readonly iv?: Uint8Array;
  readonly tag?: Uint8Array;
}

function cipher(operation: number, uid: string | undefined, data: Uint8Array, o: CipherOptions): KmipOperation<CipherResult> {
  return {
    operation,
    build: () => {
      const out = uidItem(uid);
      if (o.parameters) out.push(cryptoParams(o.parameters));
      out.push(bytes(Tag.Data, data));
      if (o.iv) out.push(bytes(Tag.IVCounterNonce, o.iv));
      if (o.aad) out.push(bytes(Tag.AuthenticatedEncryptionAdditionalData, o.aad));
      if (o.tag) out.push(bytes(Tag.AuthenticatedEncryptionTag, o.tag));
      return out;
    },
    parse: (p) => ({
      uniqueIdentifier: p.text(Tag.UniqueIdentifier),
      data: p.bytes(Tag.Data),
      iv: p.bytesOpt(Tag.IVCounterNonce),
      tag: p.bytesOpt(Tag.AuthenticatedEncryptionTag),
    }),
  };
}

export const encrypt = (uid: string | undefined, data: Uint8Array, o: CipherOptions = {}): KmipOperation<CipherResult> =>
  cipher(Operation.Encrypt, uid, data, o);
export const decrypt = (uid: string | undefined, data: Uint8Array, o: CipherOptions = {}): KmipOperation<CipherResult> =>
  cipher(Operation.Decrypt, uid, data, o);

/** MAC of `data` under the key; the algorithm defaults to the key's Cryptographic Parameters. */
export function mac(uid: string | undefined, data: Uint8Array, algorithm?: number): KmipOperation<Uint8Array> {
  return {
    operation: Operation.MAC,
    build: () => macPayload(uid, data, algorithm),
    parse: (p) => p.bytes(Tag.MACData),
  };
}

/** True when `macData` is the MAC of `data` under the key (the server compares in constant time). */
export function macVerify(uid: string | undefined, data: Uint8Array, macData: Uint8Array, algorithm?: number): KmipOperation<boolean> {
  return {
    operation: Operation.MACVerify,
    build: () => [...macPayload(uid, data, algorithm), bytes(Tag.MACData, macData)],
    parse: (p) => p.enum(Tag.ValidityIndicator) === ValidityIndicator.Valid,
  };
}

function macPayload(uid: string | undefined, data: Uint8Array, algorithm: number | undefined): TtlvItem[] {
  const out = uidItem(uid);
  if (algorithm !== undefined) out.push(struct(Tag.CryptographicParameters, [enumeration(Tag.CryptographicAlgorithm, algorithm)]));
  out.push(bytes(Tag.Data, data));
  return out;
}

export interface DeriveKeyOptions {
  /** KMIP Derivation Method: HASH, HMAC, HKDF or PBKDF2 on OpenKCM. */
  readonly method: number;
  readonly hashingAlgorithm?: number;
  readonly derivationData?: Uint8Array;
  readonly salt?: Uint8Array;
  readonly iterationCount?: number;
  /** The new key: AES-256 Encrypt|Decrypt unless given. */
  readonly algorithm?: number;
  readonly length?: number;
  readonly usageMask?: number;
}

/** A new Symmetric Key derived on the server from a base key whose usage mask allows Derive Key. */
export function deriveKey(baseUid: string | undefined, o: DeriveKeyOptions): KmipOperation<string> {
  return {
    operation: Operation.DeriveKey,
    build(v) {
      const params: TtlvItem[] = [];
      if (o.hashingAlgorithm !== undefined) params.push(struct(Tag.CryptographicParameters, [enumeration(Tag.HashingAlgorithm, o.hashingAlgorithm)]));
      if (o.derivationData) params.push(bytes(Tag.DerivationData, o.derivationData));
      if (o.salt) params.push(bytes(Tag.Salt, o.salt));
      if (o.iterationCount !== undefined) params.push(int(Tag.IterationCount, o.iterationCount));
      const attrs: AttributeInput[] = [
        enumeration(Tag.CryptographicAlgorithm, o.algorithm ?? CryptographicAlgorithm.AES),
        int(Tag.CryptographicLength, o.length ?? 256),
        int(Tag.CryptographicUsageMask, o.usageMask ?? CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt),
      ];
      return [
        enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
        ...uidItem(baseUid),
        enumeration(Tag.DerivationMethod, o.method),
        struct(Tag.DerivationParameters, params),
        writeAttributes(attrs.map(toAttribute), v),
      ];
    },
    parse: (p) => p.text(Tag.UniqueIdentifier),
  };
}

/** The server's digest of `data` (default SHA-256). */
export function hash(data: Uint8Array, algorithm: number = HashingAlgorithm.SHA_256): KmipOperation<Uint8Array> {
  return {
    operation: Operation.Hash,
    build: () => [struct(Tag.CryptographicParameters, [enumeration(Tag.HashingAlgorithm, algorithm)]), bytes(Tag.Data, data)],
    parse: (p) => p.bytes(Tag.Data),
  };
}

/** `length` random bytes from the server's RNG. */
export function rngRetrieve(length: number): KmipOperation<Uint8Array> {
  return {
    operation: Operation.RNGRetrieve,
    build: () => [int(Tag.DataLength, length)],
    parse: (p) => p.bytes(Tag.Data),
  };
}

export function reKey(uid?: string, offsetSeconds?: number): KmipOperation<string> {
  return {
    operation: Operation.ReKey,
    build: () => {
      const out = uidItem(uid);
      if (offsetSeconds !== undefined) out.push({ tag: Tag.Offset, type: ItemType.Interval, value: offsetSeconds });
      return out;
    },
    parse: (p) => p.text(Tag.UniqueIdentifier),
  };
}

export function discoverVersions(versions: readonly ProtocolVersion[] = []): KmipOperation<ProtocolVersion[]> {
  return {
    operation: Operation.DiscoverVersions,
    build: () => versions.map((x) => struct(Tag.ProtocolVersion, [int(Tag.ProtocolVersionMajor, x.major), int(Tag.ProtocolVersionMinor, x.minor)])),
    parse: (p) => p.structs(Tag.ProtocolVersion).map((x) => ({ major: x.int(Tag.ProtocolVersionMajor), minor: x.int(Tag.ProtocolVersionMinor) })),
  };
}

export interface QueryResult {
  readonly operations: number[];
  readonly objectTypes: number[];
  readonly vendorIdentification?: string;
  readonly serverInformation?: TtlvStructure;
  readonly payload: TtlvStructure;
}

export function query(functions: readonly number[] = [QueryFunction.QueryOperations, QueryFunction.QueryObjects]): KmipOperation<QueryResult> {
  return {
    operation: Operation.Query,
    build: () => functions.map((f) => enumeration(Tag.QueryFunction, f)),
    parse: (p) => ({
      operations: p.enums(Tag.Operation),
      objectTypes: p.enums(Tag.ObjectType),
      vendorIdentification: p.textOpt(Tag.VendorIdentification),
      serverInformation: p.structOpt(Tag.ServerInformation)?.item,
      payload: p.item,
    }),
  };
}
