import type { AttributeBag, StoredAttribute } from './attribute-bag.js';

/**
 * A KMIP managed object as the server works with it. `attributes` is the truth about every
 * attribute (State and the lifecycle dates included); `material` says where the key bytes come
 * from — never the bytes themselves.
 */
export interface ManagedObject {
  readonly uid: string;
  readonly tenantId: string;
  /** Service identity (from the client certificate) that created or registered the object. */
  readonly owner: string;
  readonly objectType: number;
  attributes: AttributeBag;
  material: MaterialRef;
  /** Bytes or operations used against Usage Limits, when a handler read the ledger (see ObjectRepository); else 0. */
  usageUsed: number;
  /** Optimistic-concurrency counter: every write must name the revision it read. */
  readonly rev: number;
}

/** How a managed object's material is reproduced. */
export type MaterialRef =
  /** Created by OpenKCM: HKDF-derived from the tenant's L2 version, recomputed on every use. */
  | { kind: 'derived'; l2Version: number; length: number; format: MaterialFormat }
  /** Registered by a client: stored only sealed (AES-256-GCM under L2, tenant|uid as AAD). */
  | { kind: 'sealed'; l2Version: number; sealed: Buffer; format: MaterialFormat }
  /** Registered without a key value (e.g. Key Value Location names where it lives). */
  | { kind: 'none'; format: MaterialFormat }
  /** Destroyed: nothing left to reproduce. */
  | { kind: 'destroyed'; format: MaterialFormat };

/** What the object's material looks like on the wire. */
export interface MaterialFormat {
  keyFormatType?: number;
  secretDataType?: number;
  opaqueDataType?: number;
  /** Registered wrapped: the sealed bytes are the key as registered, wrapped under `keyId` (handlers/key-wrapping.ts). */
  wrapping?: KeyWrapping;
}

/** How a key is wrapped: under which key of the tenant, with which BlockCipherMode and EncodingOption. */
export interface KeyWrapping {
  keyId: string;
  mode: number;
  encoding: number;
}

/**
 * The `kmipObjects` document. Typed fields (state, algorithm, names, dates, links…) are copies
 * of the attributes, written with every change, so operators and indexes can read them; the
 * server reads `attributes`.
 */
export interface KmipObjectDocument {
  _id: string;
  tenantId: string;
  owner: string;
  objectType: number;
  state: number;
  cryptographicAlgorithm?: number;
  cryptographicLength?: number;
  cryptographicUsageMask?: number;
  names: string[];
  dates: {
    initial?: Date;
    activation?: Date;
    deactivation?: Date;
    processStart?: Date;
    protectStop?: Date;
    destroy?: Date;
    compromise?: Date;
    compromiseOccurrence?: Date;
    lastChange?: Date;
  };
  revocation?: { reason: number; message?: string };
  links: Array<{ type: number; id: string }>;
  /**
   * Every attribute instance, TTLV-encoded (exact round trip of every KMIP type), packed into
   * one binary field (packed-attributes.ts). Documents written before packing hold an array of
   * `{n, v}`; they are read as they are and packed by their next change.
   */
  attributes: Uint8Array | StoredAttribute[];
  /** Equality keys for Locate: `<attribute name>=<base64 of the encoded value>`. */
  match: string[];
  material: StoredMaterial;
  rev: number;
  /** When the document was inserted (milliseconds; Locate answers in this order). Set once. */
  createdAt?: Date;
}

export type StoredMaterial =
  | { kind: 'derived'; l2Version: number; length: number; format: MaterialFormat }
  | { kind: 'sealed'; l2Version: number; sealed: Uint8Array; format: MaterialFormat }
  | { kind: 'none'; format: MaterialFormat }
  | { kind: 'destroyed'; format: MaterialFormat };

export const KMIP_OBJECTS_COLLECTION = 'kmipObjects';
