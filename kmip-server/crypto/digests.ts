import { CryptographicAlgorithm, HashingAlgorithm } from '../codec/enums.js';

export interface Digest {
  /** Node's name for it (`createHash`, `createHmac`, KDFs). */
  readonly name: string;
  readonly bytes: number;
}

/**
 * The digests this server computes, by KMIP Hashing Algorithm: SHA-1, SHA-2 and SHA-3. MD2,
 * MD4, MD5 and the other broken or exotic ones are absent, so every caller refuses them.
 */
export const DIGESTS: ReadonlyMap<number, Digest> = new Map([
  [HashingAlgorithm.SHA_1, { name: 'sha1', bytes: 20 }],
  [HashingAlgorithm.SHA_224, { name: 'sha224', bytes: 28 }],
  [HashingAlgorithm.SHA_256, { name: 'sha256', bytes: 32 }],
  [HashingAlgorithm.SHA_384, { name: 'sha384', bytes: 48 }],
  [HashingAlgorithm.SHA_512, { name: 'sha512', bytes: 64 }],
  [HashingAlgorithm.SHA_512_224, { name: 'sha512-224', bytes: 28 }],
  [HashingAlgorithm.SHA_512_256, { name: 'sha512-256', bytes: 32 }],
  [HashingAlgorithm.SHA_3_224, { name: 'sha3-224', bytes: 28 }],
  [HashingAlgorithm.SHA_3_256, { name: 'sha3-256', bytes: 32 }],
  [HashingAlgorithm.SHA_3_384, { name: 'sha3-384', bytes: 48 }],
  [HashingAlgorithm.SHA_3_512, { name: 'sha3-512', bytes: 64 }],
]);

/** The Hashing Algorithm inside each HMAC Cryptographic Algorithm this server computes. */
export const HMAC_DIGESTS: ReadonlyMap<number, number> = new Map([
  [CryptographicAlgorithm.HMAC_SHA1, HashingAlgorithm.SHA_1],
  [CryptographicAlgorithm.HMAC_SHA224, HashingAlgorithm.SHA_224],
  [CryptographicAlgorithm.HMAC_SHA256, HashingAlgorithm.SHA_256],
  [CryptographicAlgorithm.HMAC_SHA384, HashingAlgorithm.SHA_384],
  [CryptographicAlgorithm.HMAC_SHA512, HashingAlgorithm.SHA_512],
]);
