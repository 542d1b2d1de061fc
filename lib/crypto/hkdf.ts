import { createHmac } from 'node:crypto';

/**
 * HKDF (RFC 5869) split into its two halves. The key hierarchy runs Extract once per L2 version
 * and keeps the pseudo-random key (PRK), so each derivation is one Expand: for output up to the
 * hash's length that is a single HMAC — several times faster than `crypto.hkdfSync`, which
 * repeats Extract on every call. Expand takes SHA-512 too, for callers that want up to 64
 * bytes from one HMAC (a key and its check value together).
 */
export type HkdfHash = 'sha256' | 'sha512';
const HASH_LENGTH: Record<HkdfHash, number> = { sha256: 32, sha512: 64 };

export function hkdfExtract(salt: Buffer, inputKeyMaterial: Buffer): Buffer {
  return createHmac('sha256', salt).update(inputKeyMaterial).digest();
}

const COUNTER = Array.from({ length: 256 }, (_, i) => Buffer.from([i]));

export function hkdfExpand(prk: Buffer, info: Buffer, length: number, hash: HkdfHash = 'sha256'): Buffer {
  const hashLength = HASH_LENGTH[hash];
  if (!Number.isInteger(length) || length < 1 || length > 255 * hashLength) {
    throw new RangeError(`HKDF output length must be 1..${255 * hashLength} bytes, got ${length}`);
  }
  if (length <= hashLength) {
    const block = createHmac(hash, prk).update(info).update(COUNTER[1]!).digest();
    if (length === hashLength) return block;
    const out = Buffer.from(block.subarray(0, length));
    block.fill(0);
    return out;
  }
  const out = Buffer.alloc(length);
  let previous = Buffer.alloc(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    const block = createHmac(hash, prk).update(previous).update(info).update(COUNTER[i]!).digest();
    block.copy(out, offset, 0, Math.min(hashLength, length - offset));
    previous.fill(0);
    previous = block;
    offset += hashLength;
  }
  previous.fill(0);
  return out;
}
