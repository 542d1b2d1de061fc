import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { BSON } from 'mongodb';
import { hkdfExpand } from '../../lib/crypto/hkdf.js';
import { publicRandomBytes } from '../../lib/crypto/public-random.js';
import { zeroize } from '../../lib/crypto/zero.js';
import { IV_LENGTH, TAG_LENGTH, type EnvelopeMode, type FieldEnvelope } from './envelope.js';

/**
 * AES-256-GCM over one field value. The value is BSON-encoded first (`{v: value}`), so any
 * BSON type round-trips exactly. Randomized mode uses a random IV; deterministic mode derives
 * the IV from the plaintext (SIV-style: HMAC over associated data and plaintext under a
 * separate subkey), which makes equal values encrypt equally — that is what allows equality
 * queries, and exactly what it leaks.
 */
export class FieldDecryptionError extends Error {
  override readonly name = 'FieldDecryptionError';
}

const ENC_INFO = Buffer.from('openkcm/fle/v1/enc');
const SIV_INFO = Buffer.from('openkcm/fle/v1/siv');

export function encryptField(mode: EnvelopeMode, keyId: string, key: Buffer, value: unknown, aad: Buffer): FieldEnvelope {
  const plaintext = bufferView(BSON.serialize({ v: value }));
  const subkeys = mode === 'deterministic' ? deterministicSubkeys(key) : undefined;
  try {
    const encKey = subkeys?.enc ?? key;
    const iv = subkeys ? Buffer.from(createHmac('sha256', subkeys.siv).update(aad).update(plaintext).digest().subarray(0, IV_LENGTH)) : publicRandomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', encKey, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad);
    return { mode, keyId, iv, ciphertext: joined(cipher.update(plaintext), cipher.final()), tag: cipher.getAuthTag() };
  } finally {
    zeroize(plaintext, subkeys?.enc, subkeys?.siv);
  }
}

export function decryptField(envelope: FieldEnvelope, key: Buffer, aad: Buffer): unknown {
  const subkeys = envelope.mode === 'deterministic' ? deterministicSubkeys(key) : undefined;
  const decipher = createDecipheriv('aes-256-gcm', subkeys?.enc ?? key, envelope.iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(envelope.tag);
  try {
    // Not zeroed afterwards: the decoded value may share this memory, and it is data, not a key.
    const plaintext = joined(decipher.update(envelope.ciphertext), decipher.final());
    return BSON.deserialize(plaintext, { promoteBuffers: true }).v as unknown;
  } catch {
    throw new FieldDecryptionError('encrypted field failed authentication (wrong key, tampered, or moved to another document)');
  } finally {
    zeroize(subkeys?.enc, subkeys?.siv);
  }
}

/** GCM's final() adds no bytes; join only when it did, and skip a copy per field otherwise. */
function joined(head: Buffer, tail: Buffer): Buffer {
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

/** The same memory as a Buffer (so zeroing the view zeroes the serialized plaintext itself). */
function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function deterministicSubkeys(key: Buffer): { enc: Buffer; siv: Buffer } {
  return { enc: hkdfExpand(key, ENC_INFO, 32), siv: hkdfExpand(key, SIV_INFO, 32) };
}
