import type { HkdfHash } from '../crypto/hkdf.js';

/**
 * The key hierarchy as the KMIP server and the workflows see it. L2 versions are unwrapped
 * through the tenant's L1 connector and cached; everything a client receives derives from them.
 */

/** What a derived key is bound to. Encoded into HKDF's info; see lib/keys/derivation.ts. */
export interface DerivationContext {
  tenantId: string;
  /** The service identity that owns the object (from its certificate), or '' for tenant-wide keys. */
  serviceId: string;
  objectId: string;
  /** e.g. 'kmip-object', 'kmip-ephemeral', 'secret-seal'. */
  purpose: string;
}

export interface L2Key {
  readonly tenantId: string;
  readonly version: number;
  /**
   * One HKDF-Expand from the per-version pseudo-random key (HMAC-SHA256 unless `hash` says
   * SHA-512, which gives up to 64 bytes from one HMAC). The caller zeroes the result.
   */
  derive(context: DerivationContext, lengthBytes: number, hash?: HkdfHash): Buffer;
  /** AES-256-GCM under a key derived from this L2 version, with `aad` authenticated. */
  seal(plaintext: Buffer, aad: Buffer): Buffer;
  /** Inverse of seal; throws on any tampering. The caller zeroes the result. */
  open(sealed: Buffer, aad: Buffer): Buffer;
}

export type TenantKeyUnavailableReason =
  | 'unknown-tenant'
  | 'inactive'
  | 'activating'
  | 'error'
  | 'revoked'
  | 'unknown-version'
  | 'keystore-unavailable';

export class TenantKeyUnavailable extends Error {
  override readonly name = 'TenantKeyUnavailable';
  constructor(
    readonly tenantId: string,
    readonly reason: TenantKeyUnavailableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface KeyHierarchy {
  /** The newest active L2 version of the tenant; throws TenantKeyUnavailable when L1 is not Active. */
  current(tenantId: string): Promise<L2Key>;
  /** A specific version (old versions stay usable for decryption until retired). */
  version(tenantId: string, version: number): Promise<L2Key>;
  /** Drops (and zeroes) every cached L2 of the tenant; the next use re-unwraps through L1. */
  invalidate(tenantId: string): void;
}
