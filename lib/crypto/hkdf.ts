import { createHmac } from 'node:crypto';

/**
 * HKDF-SHA256 (RFC 5869) split into its two halves. The key hierarchy runs Extract once per
 * L2 version and keeps the pseudo-random key (PRK), so each derivation is one Expand: for
 * output up to 32 bytes that is a single HMAC — several times faster than `crypto.hkdfSync`,
 * which repeats Extract on every call.
 */
const HASH_LENGTH = 32;
const MAX_OUTPUT = 255 * HASH_LENGTH;

export function hkdfExtract(salt: Buffer, inputKeyMaterial: Buffer): Buffer {
  return createHmac('sha256', salt).update(inputKeyMaterial).digest();
}

const COUNTER = Array.from({ length: 256 }, (_, i) => Buffer.from([i]));

export function hkdfExpand(prk: Buffer, info: Buffer, length: number): Buffer {
  if (!Number.isInteger(length) || length < 1 || length > MAX_OUTPUT) {
    throw new RangeError(`HKDF output length must be 1..${MAX_OUTPUT} bytes, got ${length}`);
  }
  if (length <= HASH_LENGTH) {
    const block = createHmac('sha256', prk).update(info).update(COUNTER[1]!).digest();
    if (length === HASH_LENGTH) return block;
    const out = Buffer.from(block.subarray(0, length));
    block.fill(0);
    return out;
  }
  const out = Buffer.alloc(length);
  let previous = Buffer.alloc(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    const block = createHmac('sha256', prk).update(previous).update(info).update(COUNTER[i]!).digest();
    block.copy(out, offset, 0, Math.min(HASH_LENGTH, length - offset));
    previous.fill(0);
    previous = block;
    offset += HASH_LENGTH;
  }
  previous.fill(0);
  return out;
}
