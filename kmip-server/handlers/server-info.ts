import {
  CryptographicAlgorithm,
  DestroyAction,
  ObjectType,
  Operation,
  ProfileName,
  QueryFunction,
  RNGAlgorithm,
  RNGMode,
  ShreddingAlgorithm,
  UnwrapMode,
} from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { bool, enumeration, int, struct, text } from '../codec/types.js';
import { KNOWN_VERSIONS, type ProtocolVersion } from '../codec/version.js';
import type { OpHandler } from './context.js';

/** Versions this server speaks, newest first (the order DiscoverVersions answers in): every one the codec has tables for. */
export const SUPPORTED_VERSIONS: readonly ProtocolVersion[] = KNOWN_VERSIONS;

export const SUPPORTED_OPERATIONS: readonly number[] = [
  Operation.Query,
  Operation.DiscoverVersions,
  Operation.Locate,
  Operation.Create,
  Operation.Register,
  Operation.ReKey,
  Operation.Get,
  Operation.GetAttributes,
  Operation.GetAttributeList,
  Operation.AddAttribute,
  Operation.ModifyAttribute,
  Operation.DeleteAttribute,
  Operation.Activate,
  Operation.Revoke,
  Operation.Destroy,
  Operation.Encrypt,
  Operation.Decrypt,
  Operation.DeriveKey,
  Operation.MAC,
  Operation.MACVerify,
  Operation.RNGRetrieve,
  Operation.Hash,
];

const OBJECT_TYPES = [ObjectType.SymmetricKey, ObjectType.SecretData, ObjectType.OpaqueObject];

/** KMIP 1.4 server profiles whose mandatory test cases this server passes. */
const PROFILES = [
  ProfileName.BaselineServerTLSV1_2KMIPV1_4,
  ProfileName.SymmetricKeyLifecycleServerKMIPV1_4,
  ProfileName.BasicCryptographicServerKMIPV1_4,
  ProfileName.SymmetricKeyFoundryServerKMIPV1_4,
  ProfileName.OpaqueManagedObjectStoreServerKMIPV1_4,
  ProfileName.StorageArrayWithSelfEncryptingDriveServerKMIPV1_4,
  ProfileName.TapeLibraryServerKMIPV1_4,
  ProfileName.RNGCryptographicServerKMIPV1_4,
];

export const VENDOR_IDENTIFICATION = 'OpenKCM';

/** DiscoverVersions: the client's versions we speak, in the client's order; all of ours if it named none. */
export const discoverVersions: OpHandler = (p) => {
  const asked = p.structs(Tag.ProtocolVersion).map((v) => ({ major: v.int(Tag.ProtocolVersionMajor), minor: v.int(Tag.ProtocolVersionMinor) }));
  const ours = (v: ProtocolVersion): boolean => SUPPORTED_VERSIONS.some((s) => s.major === v.major && s.minor === v.minor);
  const answer = asked.length === 0 ? SUPPORTED_VERSIONS : asked.filter(ours);
  return answer.map((v) => struct(Tag.ProtocolVersion, [int(Tag.ProtocolVersionMajor, v.major), int(Tag.ProtocolVersionMinor, v.minor)]));
};

/** Query: answers in the order KMIP 1.4 §4.25 lists the response fields. */
export const query: OpHandler = (p) => {
  const asked = new Set(p.enums(Tag.QueryFunction));
  const out: TtlvItem[] = [];
  if (asked.has(QueryFunction.QueryOperations)) for (const o of SUPPORTED_OPERATIONS) out.push(enumeration(Tag.Operation, o));
  if (asked.has(QueryFunction.QueryObjects)) for (const t of OBJECT_TYPES) out.push(enumeration(Tag.ObjectType, t));
  if (asked.has(QueryFunction.QueryServerInformation)) {
    out.push(text(Tag.VendorIdentification, VENDOR_IDENTIFICATION), struct(Tag.ServerInformation, []));
  }
  if (asked.has(QueryFunction.QueryRNGs)) {
    out.push(
      struct(Tag.RNGParameters, [
        enumeration(Tag.RNGAlgorithm, RNGAlgorithm.DRBG),
        enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES),
        int(Tag.CryptographicLength, 256),
      ]),
    );
  }
  if (asked.has(QueryFunction.QueryProfiles)) for (const n of PROFILES) out.push(struct(Tag.ProfileInformation, [enumeration(Tag.ProfileName, n)]));
  if (asked.has(QueryFunction.QueryCapabilities)) {
    out.push(
      struct(Tag.CapabilityInformation, [
        bool(Tag.StreamingCapability, true),
        bool(Tag.AsynchronousCapability, false),
        bool(Tag.AttestationCapability, false),
        bool(Tag.BatchUndoCapability, false),
        bool(Tag.BatchContinueCapability, true),
        enumeration(Tag.UnwrapMode, UnwrapMode.Unspecified),
        enumeration(Tag.DestroyAction, DestroyAction.KeyMaterialDeleted),
        enumeration(Tag.ShreddingAlgorithm, ShreddingAlgorithm.Cryptographic),
        enumeration(Tag.RNGMode, RNGMode.SharedInstantiation),
      ]),
    );
  }
  return out;
};
