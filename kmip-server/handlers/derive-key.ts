import { createHash, createHmac, hkdfSync, pbkdf2, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { DerivationMethod, HashingAlgorithm, KeyFormatType, ObjectType } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { text } from '../codec/types.js';
import type { Digest } from '../crypto/digests.js';
import { DIGESTS, HMAC_DIGESTS } from '../crypto/digests.js';
import { enumAttr, intAttr } from '../objects/document.js';
import { readAttributes } from '../protocol/attributes.js';
import { featureNotSupported, invalidField, missingData } from '../protocol/errors.js';
import type { Fields } from '../protocol/payload.js';
import type { OpHandler } from './context.js';
import { KEY_USE } from './key-use.js';
import { newObject, templateBag } from './new-object.js';
import { digestOf, materialOf, resolveForUse, sealAad } from './targets.js';

/** Key derivation uses SHA-2 of at least 256 bits, whatever else the server hashes with. */
const KDF_HASHES: ReadonlySet<number> = new Set([HashingAlgorithm.SHA_256, HashingAlgorithm.SHA_384, HashingAlgorithm.SHA_512]);
/** PBKDF2 below this many iterations is refused: the base is often a password. */
const MIN_PBKDF2_ITERATIONS = 10_000;
const MAX_PBKDF2_ITERATIONS = 1_000_000;
/** On libuv's thread pool: a million iterations must not stall every other connection of the worker. */
const pbkdf2Async = promisify(pbkdf2);

/** The digest named by the Cryptographic Parameters (Hashing Algorithm, or an HMAC algorithm); SHA-256 when absent. */
function hashFor(params: Fields | undefined): Digest {
  const hashing = params?.enumOpt(Tag.HashingAlgorithm) ?? HMAC_DIGESTS.get(params?.enumOpt(Tag.CryptographicAlgorithm) ?? -1) ?? HashingAlgorithm.SHA_256;
  const digest = KDF_HASHES.has(hashing) ? DIGESTS.get(hashing) : undefined;
  if (!digest) throw featureNotSupported('key derivation uses SHA-256, SHA-384 or SHA-512');
  return digest;
}

/**
 * The derived bytes. Every method keeps the base key secret-bearing: HASH hashes the key itself
 * (never the derivation data alone, which would give a key anyone could compute), HMAC and HKDF
 * key the MAC with it, PBKDF2 stretches it with a salt and a real iteration count.
 */
async function derive(method: number, base: Buffer, d: Fields, length: number): Promise<Buffer> {
  const params = d.structOpt(Tag.CryptographicParameters);
  const digest = hashFor(params);
  const data = d.bytesOpt(Tag.DerivationData);
  const single = (out: Buffer): Buffer => {
    if (length > digest.bytes) throw invalidField(`this method derives at most ${digest.bytes * 8} bits with ${digest.name}`);
    const key = Buffer.from(out.subarray(0, length));
    out.fill(0);
    return key;
  };
  switch (method) {
    case DerivationMethod.HASH:
      if (data) throw invalidField('HASH derives from the base key only; Derivation Data would make the key computable by anyone');
      return single(createHash(digest.name).update(base).digest());
    case DerivationMethod.HMAC:
      if (!data) throw missingData('HMAC derivation needs Derivation Data');
      return single(createHmac(digest.name, base).update(data).digest());
    case DerivationMethod.HKDF:
      return Buffer.from(hkdfSync(digest.name, base, d.bytesOpt(Tag.Salt) ?? Buffer.alloc(0), data ?? Buffer.alloc(0), length));
    case DerivationMethod.PBKDF2: {
      const salt = d.bytesOpt(Tag.Salt);
      const iterations = d.intOpt(Tag.IterationCount);
      if (!salt || salt.length < 8) throw invalidField('PBKDF2 needs a Salt of at least 8 bytes');
      if (iterations === undefined || iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
        throw invalidField(`PBKDF2 needs an Iteration Count of ${MIN_PBKDF2_ITERATIONS}..${MAX_PBKDF2_ITERATIONS}`);
      }
      return pbkdf2Async(base, salt, iterations, length, digest.name);
    }
    default:
      throw featureNotSupported('derivation methods offered: HASH, HMAC, HKDF and PBKDF2');
  }
}

/**
 * Derive Key (KMIP 1.4 §4.6): a new Symmetric Key from one base object whose usage mask allows
 * Derive Key. The result is a managed object like a registered key: its material stored only
 * sealed under the tenant's L2, zeroed here once sealed.
 */
export const deriveKey: OpHandler = async (p, ctx, op) => {
  if (p.enum(Tag.ObjectType) !== ObjectType.SymmetricKey) throw featureNotSupported('Derive Key makes Symmetric Keys');
  if (p.texts(Tag.UniqueIdentifier).length > 1) throw featureNotSupported('Derive Key takes one base object');
  const baseUid = p.uniqueIdentifier(ctx.idPlaceholder);
  const method = p.enum(Tag.DerivationMethod);
  const bag = templateBag(readAttributes(p), ObjectType.SymmetricKey);
  const algorithm = enumAttr(bag, 'Cryptographic Algorithm');
  const bits = intAttr(bag, 'Cryptographic Length');
  if (algorithm === undefined || bits === undefined) throw missingData('the template needs Cryptographic Algorithm and Cryptographic Length');
  if (bits % 8 !== 0 || bits < 64 || bits > 512) throw invalidField('Cryptographic Length must be a whole number of bytes, 64..512 bits');

  const base = await resolveForUse(op, baseUid, KEY_USE.deriveKey);
  const baseKey = await materialOf(op, base);
  if (!baseKey) throw missingData('the base object has no key value');
  const derived = await derive(method, baseKey, p.struct(Tag.DerivationParameters), bits / 8);
  const uid = randomUUID();
  try {
    const l2 = await op.services.keys.current(op.tenantId);
    const format = { keyFormatType: KeyFormatType.Raw };
    const material = { kind: 'sealed' as const, l2Version: l2.version, sealed: l2.seal(derived, sealAad(op.tenantId, uid)), format };
    const object = newObject(op, { uid, objectType: ObjectType.SymmetricKey, attributes: bag, material, generated: false, digest: digestOf(derived, KeyFormatType.Raw) });
    op.l2Version = l2.version;
    op.objectId = uid;
    await op.services.objects.insert(object);
  } finally {
    derived.fill(0);
  }
  return [text(Tag.UniqueIdentifier, uid)];
};
