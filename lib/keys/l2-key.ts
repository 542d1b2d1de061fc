import { aeadOpen, aeadSeal } from '../crypto/aead.js';
import { hkdfExpand, hkdfExtract, type HkdfHash } from '../crypto/hkdf.js';
import { zeroize } from '../crypto/zero.js';
import { derivationInfo, l2Salt } from './derivation.js';
import type { DerivationContext, L2Key } from './types.js';

export class DestroyedKeyError extends Error {
  override readonly name = 'DestroyedKeyError';
  constructor() {
    super('the tenant key was evicted while in use; retry the operation');
  }
}

/**
 * An unwrapped L2 version as the cache holds it. The raw L2 is consumed by HKDF-Extract in the
 * constructor and zeroed at once: only the pseudo-random key and the sealing key stay in
 * memory, and `destroy()` zeroes them. Using a destroyed key throws rather than deriving from
 * zeros, because a caller may hold a reference across an await while the cache evicts it.
 */
export class UnwrappedL2Key implements L2Key {
  private readonly prk: Buffer;
  private readonly sealKey: Buffer;
  private destroyed = false;

  constructor(
    readonly tenantId: string,
    readonly version: number,
    material: Buffer,
  ) {
    if (material.length !== 32) throw new RangeError('an L2 key is 32 bytes');
    this.prk = hkdfExtract(l2Salt(tenantId, version), material);
    zeroize(material);
    this.sealKey = hkdfExpand(
      this.prk,
      derivationInfo({ tenantId, serviceId: '', objectId: '', purpose: 'secret-seal' }),
      32,
    );
  }

  derive(context: DerivationContext, lengthBytes: number, hash: HkdfHash = 'sha256'): Buffer {
    this.assertUsable(context.tenantId);
    return hkdfExpand(this.prk, derivationInfo(context), lengthBytes, hash);
  }

  seal(plaintext: Buffer, aad: Buffer): Buffer {
    this.assertUsable(this.tenantId);
    return aeadSeal(this.sealKey, plaintext, aad);
  }

  open(sealed: Buffer, aad: Buffer): Buffer {
    this.assertUsable(this.tenantId);
    return aeadOpen(this.sealKey, sealed, aad);
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
    zeroize(this.prk, this.sealKey);
  }

  private assertUsable(tenantId: string): void {
    if (this.destroyed) throw new DestroyedKeyError();
    // A key of one tenant never derives for another, whatever the caller passes.
    if (tenantId !== this.tenantId) throw new RangeError('derivation context names another tenant');
  }
}
