import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a random 96-bit IV, in one self-describing blob:
 * `format(1) | iv(12) | ciphertext | tag(16)`. The format byte lets the layout change later
 * without guessing. Associated data binds a blob to where it belongs (tenant, object id).
 */
const FORMAT_V1 = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const OVERHEAD = 1 + IV_LENGTH + TAG_LENGTH;

export class AeadError extends Error {
  override readonly name = 'AeadError';
}

export function aeadSeal(key: Buffer, plaintext: Buffer, associatedData: Buffer): Buffer {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(associatedData);
  const out = Buffer.allocUnsafe(OVERHEAD + plaintext.length);
  out[0] = FORMAT_V1;
  iv.copy(out, 1);
  let offset = 1 + IV_LENGTH;
  offset += cipher.update(plaintext).copy(out, offset);
  offset += cipher.final().copy(out, offset);
  cipher.getAuthTag().copy(out, offset);
  return out;
}

export function aeadOpen(key: Buffer, sealed: Buffer, associatedData: Buffer): Buffer {
  if (sealed.length < OVERHEAD || sealed[0] !== FORMAT_V1) {
    throw new AeadError('sealed data is malformed');
  }
  const iv = sealed.subarray(1, 1 + IV_LENGTH);
  const tag = sealed.subarray(sealed.length - TAG_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(associatedData);
  decipher.setAuthTag(tag);
  const first = decipher.update(sealed.subarray(1 + IV_LENGTH, sealed.length - TAG_LENGTH));
  try {
    const last = decipher.final();
    if (last.length === 0) return first;
    const out = Buffer.concat([first, last]);
    first.fill(0);
    return out;
  } catch {
    first.fill(0);
    throw new AeadError('sealed data failed authentication');
  }
}
