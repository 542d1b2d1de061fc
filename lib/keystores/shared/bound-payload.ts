import { timingSafeEqual } from 'node:crypto';
import { contextDigest } from './context.js';
import { KeystoreError } from '../types.js';
import type { WrapContext } from '../types.js';

/**
 * For wrap mechanisms without associated data (RSA-OAEP, AES key wrap) the context is bound by
 * wrapping `plaintext || SHA-256(context)`; unwrap checks the digest before releasing anything.
 */
export function bindPayload(plaintext: Buffer, context: WrapContext): Buffer {
  return Buffer.concat([plaintext, contextDigest(context)]);
}

/** Returns a fresh buffer with the plaintext and zeroes `payload`. Throws crypto-failure on mismatch. */
export function unbindPayload(payload: Buffer, context: WrapContext): Buffer {
  try {
    const expected = contextDigest(context);
    if (payload.length <= expected.length) {
      throw new KeystoreError('crypto-failure', 'unwrapped payload is too short: not a blob wrapped by OpenKCM');
    }
    const split = payload.length - expected.length;
    if (!timingSafeEqual(payload.subarray(split), expected)) {
      throw new KeystoreError('crypto-failure', 'wrapped blob belongs to another tenant, purpose or L2 version');
    }
    return Buffer.from(payload.subarray(0, split));
  } finally {
    payload.fill(0);
  }
}
