import { createHmac, timingSafeEqual } from 'node:crypto';
import { ResultReason, ValidityIndicator } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { ItemType, bytes, enumeration, text } from '../codec/types.js';
import { DIGESTS, HMAC_DIGESTS } from '../crypto/digests.js';
import { enumAttr } from '../objects/document.js';
import { KmipError, featureNotSupported } from '../protocol/errors.js';
import type { BatchContext } from '../protocol/dispatch.js';
import { Fields } from '../protocol/payload.js';
import type { Op, OpHandler } from './context.js';
import type { KeyUse } from './key-use.js';
import { KEY_USE, consumeUsage } from './key-use.js';
import type { Target } from './targets.js';
import { materialOf, resolveForUse } from './targets.js';

/**
 * The MAC algorithm: the request's Cryptographic Parameters, else the key's Cryptographic
 * Parameters attribute, else the key's own algorithm when that is an HMAC.
 */
function hmacOf(p: Fields, t: Target): string {
  const fromRequest = p.structOpt(Tag.CryptographicParameters)?.enumOpt(Tag.CryptographicAlgorithm);
  let algorithm = fromRequest;
  if (algorithm === undefined && t.kind === 'stored') {
    const params = t.object.attributes.first('Cryptographic Parameters');
    if (params?.type === ItemType.Structure) algorithm = new Fields(params, 'Cryptographic Parameters').enumOpt(Tag.CryptographicAlgorithm);
    algorithm ??= enumAttr(t.object.attributes, 'Cryptographic Algorithm');
  }
  const hashing = algorithm === undefined ? undefined : HMAC_DIGESTS.get(algorithm);
  const digest = hashing === undefined ? undefined : DIGESTS.get(hashing);
  if (!digest) throw featureNotSupported('MAC needs an HMAC-SHA1/SHA2 algorithm, in the request or the key\'s Cryptographic Parameters');
  return digest.name;
}

/** The key, its use checked and counted, and the HMAC of Data under it (single-part only). */
async function computeMac(p: Fields, ctx: BatchContext, op: Op, use: KeyUse): Promise<{ uid: string; mac: Buffer }> {
  if (p.has(Tag.CorrelationValue) || p.has(Tag.InitIndicator) || p.has(Tag.FinalIndicator)) {
    throw featureNotSupported('streaming MAC is not supported; send the data in one request');
  }
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  const data = p.bytes(Tag.Data);
  const t = await resolveForUse(op, uid, use);
  const algorithm = hmacOf(p, t);
  await consumeUsage(op, t, data.length);
  const key = await materialOf(op, t);
  if (!key) throw new KmipError(ResultReason.KeyValueNotPresent, 'the object has no key value to use');
  return { uid, mac: createHmac(algorithm, key).update(data).digest() };
}

/** MAC (KMIP 1.4 §4.33): HMAC of Data under the key. */
export const mac: OpHandler = async (p, ctx, op) => {
  const { uid, mac: value } = await computeMac(p, ctx, op, KEY_USE.macGenerate);
  return [text(Tag.UniqueIdentifier, uid), bytes(Tag.MACData, value)];
};

/** MAC Verify (§4.34): Valid when MAC Data equals the HMAC of Data, compared in constant time. */
export const macVerify: OpHandler = async (p, ctx, op) => {
  const expected = p.bytes(Tag.MACData);
  const { uid, mac: value } = await computeMac(p, ctx, op, KEY_USE.macVerify);
  const valid = expected.length === value.length && timingSafeEqual(expected, value);
  return [text(Tag.UniqueIdentifier, uid), enumeration(Tag.ValidityIndicator, valid ? ValidityIndicator.Valid : ValidityIndicator.Invalid)];
};
