import { createHash, randomBytes } from 'node:crypto';
import { HashingAlgorithm } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
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

/** Hashing algorithms offered; MD2/MD4/MD5 and the like are broken and refused. */
const HASHES = new Map<number, string>([
  [HashingAlgorithm.SHA_1, 'sha1'],
  [HashingAlgorithm.SHA_224, 'sha224'],
  [HashingAlgorithm.SHA_256, 'sha256'],
  [HashingAlgorithm.SHA_384, 'sha384'],
  [HashingAlgorithm.SHA_512, 'sha512'],
  [HashingAlgorithm.SHA_512_224, 'sha512-224'],
  [HashingAlgorithm.SHA_512_256, 'sha512-256'],
  [HashingAlgorithm.SHA_3_224, 'sha3-224'],
  [HashingAlgorithm.SHA_3_256, 'sha3-256'],
  [HashingAlgorithm.SHA_3_384, 'sha3-384'],
  [HashingAlgorithm.SHA_3_512, 'sha3-512'],
]);

/** Hash (§4.37), single-part: the digest of Data under the requested hashing algorithm. */
export const hash: OpHandler = (p) => {
  if (p.has(Tag.CorrelationValue) || p.has(Tag.InitIndicator) || p.has(Tag.FinalIndicator)) {
    throw featureNotSupported('streaming Hash is not supported; send the data in one request');
  }
  const algorithm = p.struct(Tag.CryptographicParameters).enum(Tag.HashingAlgorithm);
  const name = HASHES.get(algorithm);
  if (!name) throw featureNotSupported('hashing algorithm not offered (use SHA-1, SHA-2 or SHA-3)');
  const data = p.bytes(Tag.Data);
  if (data.length > MAX_HASH_INPUT) throw invalidField(`Data is larger than ${MAX_HASH_INPUT} bytes`);
  return [bytes(Tag.Data, createHash(name).update(data).digest())];
};
