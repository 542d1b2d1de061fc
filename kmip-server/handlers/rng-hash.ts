import { createHash, randomBytes } from 'node:crypto';
import { Tag } from '../codec/tags.js';
import { DIGESTS } from '../crypto/digests.js';
import { bytes } from '../codec/types.js';
import { featureNotSupported, invalidField, permissionDenied } from '../protocol/errors.js';
import type { OpHandler } from './context.js';

/** Most random bytes one RNG Retrieve returns: far beyond any key, small enough to never matter to the server. */
export const MAX_RNG_BYTES = 4096;
/** Largest input one Hash accepts (the message limit bounds it anyway; this keeps the event loop responsive). */
const MAX_HASH_INPUT = 1024 * 1024;

/** RNG Retrieve (KMIP 1.4 §4.35): bytes from the operating system's CSPRNG. */
export const rngRetrieve: OpHandler = (p) => {
  const length = p.int(Tag.DataLength);
  if (!Number.isInteger(length) || length < 1 || length > MAX_RNG_BYTES) {
    throw invalidField(`Data Length must be 1..${MAX_RNG_BYTES} bytes`);
  }
  return [bytes(Tag.Data, randomBytes(length))];
};

/**
 * RNG Seed (§4.36) is refused: the server draws from the operating system's CSPRNG, which a
 * client must not be able to influence (the profiles allow Permission Denied).
 */
export const rngSeed: OpHandler = () => {
  throw permissionDenied('this server uses the operating system CSPRNG and does not accept seed material');
};

/** Hash (§4.37), single-part: the digest of Data under the requested hashing algorithm. */
export const hash: OpHandler = (p) => {
  if (p.has(Tag.CorrelationValue) || p.has(Tag.InitIndicator) || p.has(Tag.FinalIndicator)) {
    throw featureNotSupported('streaming Hash is not supported; send the data in one request');
  }
  const algorithm = p.struct(Tag.CryptographicParameters).enum(Tag.HashingAlgorithm);
  const digest = DIGESTS.get(algorithm);
  if (!digest) throw featureNotSupported('hashing algorithm not offered (use SHA-1, SHA-2 or SHA-3)');
  const data = p.bytes(Tag.Data);
  if (data.length > MAX_HASH_INPUT) throw invalidField(`Data is larger than ${MAX_HASH_INPUT} bytes`);
  return [bytes(Tag.Data, createHash(digest.name).update(data).digest())];
};
