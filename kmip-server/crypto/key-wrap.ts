import { createCipheriv, createDecipheriv } from 'node:crypto';
import { BlockCipherMode } from '../codec/enums.js';
import { cryptographicFailure, featureNotSupported, invalidField } from '../protocol/errors.js';

/**
 * AES key wrapping for Get with a Key Wrapping Specification and for keys registered wrapped:
 * NIST SP 800-38F KW (RFC 3394, BlockCipherMode NISTKeyWrap) and KWP (RFC 5649,
 * AESKeyWrapPadding). Both are deterministic and authenticate what they wrap, so a wrong KEK
 * or altered bytes fail the unwrap instead of yielding garbage.
 */
export type WrapMode = typeof BlockCipherMode.NISTKeyWrap | typeof BlockCipherMode.AESKeyWrapPadding;

const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const KWP_IV = Buffer.from('a65959a6', 'hex');

export function wrapModeOf(mode: number | undefined): WrapMode {
  if (mode === BlockCipherMode.NISTKeyWrap || mode === BlockCipherMode.AESKeyWrapPadding) return mode;
  throw featureNotSupported('keys are wrapped with AES Key Wrap (NISTKeyWrap) or AES Key Wrap with Padding only');
}

function cipherName(mode: WrapMode, kek: Buffer): string {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) throw invalidField('the wrapping key must be a 128, 192 or 256-bit AES key');
  return `id-aes${kek.length * 8}-wrap${mode === BlockCipherMode.AESKeyWrapPadding ? '-pad' : ''}`;
}

export function wrapKey(mode: WrapMode, kek: Buffer, plaintext: Uint8Array): Buffer {
  if (mode === BlockCipherMode.NISTKeyWrap && (plaintext.length < 16 || plaintext.length % 8 !== 0)) {
    throw invalidField('AES Key Wrap needs a multiple of 8 bytes, at least 16; use AES Key Wrap with Padding');
  }
  if (plaintext.length === 0) throw invalidField('nothing to wrap');
  const cipher = createCipheriv(cipherName(mode, kek), kek, mode === BlockCipherMode.NISTKeyWrap ? KW_IV : KWP_IV);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** The unwrapped bytes; the caller zeroes them. A wrong key or altered input is a Cryptographic Failure. */
export function unwrapKey(mode: WrapMode, kek: Buffer, wrapped: Uint8Array): Buffer {
  const decipher = createDecipheriv(cipherName(mode, kek), kek, mode === BlockCipherMode.NISTKeyWrap ? KW_IV : KWP_IV);
  let head: Buffer | undefined;
  try {
    head = decipher.update(wrapped);
    const out = Buffer.concat([head, decipher.final()]);
    return out;
  } catch {
    throw cryptographicFailure('the wrapped key did not unwrap: wrong wrapping key, or the bytes were altered');
  } finally {
    head?.fill(0);
  }
}
