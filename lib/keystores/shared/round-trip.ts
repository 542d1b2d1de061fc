import { randomBytes, timingSafeEqual } from 'node:crypto';
import { KeystoreError } from '../types.js';
import type { WrapContext } from '../types.js';

/** The context of diagnostic round trips: a tenant id no real tenant can have (ids are validated elsewhere). */
export const CONNECTION_TEST_CONTEXT: WrapContext = { tenantId: '__openkcm-connection-test__', purpose: 'connection-test', l2Version: 0 };

interface WrapUnwrap {
  wrap(plaintext: Buffer, context: WrapContext): Promise<Buffer>;
  unwrap(wrapped: Buffer, context: WrapContext): Promise<Buffer>;
}

/**
 * The `round-trip` step: wrap 32 random bytes, unwrap them, and prove the keystore binds the
 * context (unwrapping under another context must fail). Returns the step message.
 */
export async function roundTripCheck(connector: WrapUnwrap): Promise<string> {
  const probe = randomBytes(32);
  let back: Buffer | undefined;
  try {
    const started = performance.now();
    const wrapped = await connector.wrap(probe, CONNECTION_TEST_CONTEXT);
    back = await connector.unwrap(wrapped, CONNECTION_TEST_CONTEXT);
    if (back.length !== probe.length || !timingSafeEqual(back, probe)) {
      throw new KeystoreError('crypto-failure', 'unwrap returned different bytes than were wrapped', 'round-trip');
    }
    const ms = Math.round(performance.now() - started);
    const otherContext: WrapContext = { ...CONNECTION_TEST_CONTEXT, purpose: 'connection-test-other' };
    let leaked: Buffer | undefined;
    try {
      leaked = await connector.unwrap(wrapped, otherContext);
    } catch (error) {
      if (error instanceof KeystoreError && error.code === 'crypto-failure') {
        return `wrapped and unwrapped 32 bytes in ${ms} ms; a blob does not unwrap under another context`;
      }
      throw error;
    }
    leaked.fill(0);
    throw new KeystoreError('crypto-failure', 'the keystore unwrapped a blob under a different context: context binding is not enforced', 'round-trip');
  } catch (error) {
    if (error instanceof KeystoreError) {
      throw new KeystoreError(error.code, error.message, 'round-trip', { cause: error });
    }
    throw error;
  } finally {
    probe.fill(0);
    back?.fill(0);
  }
}
