import { randomFillSync } from 'node:crypto';

/**
 * Random values that are published anyway (nonces, IVs), drawn from a buffer the CSPRNG refills
 * 4 KiB at a time: a small `randomBytes` call costs about 2 µs, more than the AES-GCM or HMAC
 * it feeds, and a draw from the buffer about 0.1 µs (Node's own randomUUID pools the same way).
 * The buffer holds upcoming values in memory, so key material never comes from here.
 * Cluster workers are spawned, not forked, so no two processes share a buffer's contents.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** Offset of `length` unused bytes in the pool, refilling it first when they do not fit. */
function draw(length: number): number {
  if (!Number.isInteger(length) || length < 1 || length > POOL_BYTES) throw new RangeError(`draw 1..${POOL_BYTES} public random bytes, not ${length}`);
  if (offset + length > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += length;
  return start;
}

/** `length` fresh random bytes, in a buffer of their own. */
export function publicRandomBytes(length: number): Buffer {
  const start = draw(length);
  return Buffer.from(pool.subarray(start, start + length));
}

/** `length` fresh random bytes as base64url text. */
export function publicRandomBase64url(length: number): string {
  const start = draw(length);
  return pool.toString('base64url', start, start + length);
}
