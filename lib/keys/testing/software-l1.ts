import { randomBytes } from 'node:crypto';
import { aeadOpen, aeadSeal } from '../../crypto/aead.js';
import { KeystoreError, type Diagnostics, type L1Connector, type L1KeyMetadata, type WrapContext } from '../../keystores/types.js';

/**
 * An L1 stand-in for unit tests of code above the keystore layer: real AES-256-GCM wrapping
 * bound to the wrap context, with switches to disable the key or drop the connection. Never
 * used outside tests — a product L1 lives in the customer's keystore.
 */
export class SoftwareL1 implements L1Connector {
  readonly kind = 'kmip' as const;
  readonly key = randomBytes(32);
  enabled = true;
  reachable = true;
  unwrapCalls = 0;

  async testConnection(): Promise<Diagnostics> {
    return { ok: this.enabled && this.reachable, steps: [] };
  }

  async wrap(plaintext: Buffer, context: WrapContext): Promise<Buffer> {
    this.check();
    return aeadSeal(this.key, plaintext, contextBytes(context));
  }

  async unwrap(wrapped: Buffer, context: WrapContext): Promise<Buffer> {
    this.check();
    this.unwrapCalls++;
    try {
      return aeadOpen(this.key, wrapped, contextBytes(context));
    } catch {
      throw new KeystoreError('crypto-failure', 'unwrap failed');
    }
  }

  async describe(): Promise<L1KeyMetadata> {
    return { keyId: 'software-l1', state: this.enabled ? 'enabled' : 'disabled', algorithm: 'AES-256-GCM', usage: ['wrap', 'unwrap'] };
  }

  async close(): Promise<void> {}

  private check(): void {
    if (!this.reachable) throw new KeystoreError('unreachable', 'keystore unreachable');
    if (!this.enabled) throw new KeystoreError('disabled', 'key disabled');
  }
}

function contextBytes(context: WrapContext): Buffer {
  return Buffer.from(JSON.stringify([context.tenantId, context.purpose, context.l2Version ?? null]));
}
