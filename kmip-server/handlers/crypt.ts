import { BlockCipherMode, CryptographicAlgorithm, Operation, PaddingMethod, ResultReason } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType, bytes, text } from '../codec/types.js';
import type { CipherParams, CipherStream } from '../crypto/cipher.js';
import { DEFAULT_PARAMS, beginDecrypt, beginEncrypt } from '../crypto/cipher.js';
import { enumAttr } from '../objects/document.js';
import { KmipError } from '../protocol/errors.js';
import { Fields } from '../protocol/payload.js';
import type { OpHandler } from './context.js';
import type { Target } from './targets.js';
import { KEY_USE, consumeUsage } from './key-use.js';
import { materialOf, resolveForUse } from './targets.js';

/** Cryptographic Parameters from a request, or from the key's attribute; undefined when neither has any. */
function paramsOf(item: Fields | undefined): CipherParams | undefined {
  if (!item) return undefined;
  const alg = item.enumOpt(Tag.CryptographicAlgorithm);
  if (alg !== undefined && alg !== CryptographicAlgorithm.AES && alg !== CryptographicAlgorithm.DES3) {
    throw new KmipError(ResultReason.FeatureNotSupported, 'server-side encryption supports AES and Triple DES');
  }
  const mode = item.enumOpt(Tag.BlockCipherMode);
  return {
    mode: mode ?? BlockCipherMode.CBC,
    // A mode given without padding means no padding; a bare default (nothing given) is PKCS#5.
    padding: item.enumOpt(Tag.PaddingMethod) ?? (mode === undefined ? PaddingMethod.PKCS5 : PaddingMethod.None),
    tagLength: item.intOpt(Tag.TagLength),
    randomIV: item.boolOpt(Tag.RandomIV),
    ivLength: item.intOpt(Tag.IVLength),
  };
}

function resolveParams(p: Fields, t: Target): CipherParams {
  const fromRequest = paramsOf(p.structOpt(Tag.CryptographicParameters));
  if (fromRequest) return fromRequest;
  if (t.kind === 'stored') {
    const attr = t.object.attributes.first('Cryptographic Parameters');
    if (attr && attr.type === ItemType.Structure) return paramsOf(new Fields(attr, 'Cryptographic Parameters')) ?? DEFAULT_PARAMS;
  }
  return DEFAULT_PARAMS;
}

function algorithmOf(t: Target): number {
  return t.kind === 'ephemeral' ? CryptographicAlgorithm.AES : (enumAttr(t.object.attributes, 'Cryptographic Algorithm') ?? 0);
}

/**
 * Encrypt and Decrypt, one-shot or streamed (Init Indicator → Correlation Value → Final
 * Indicator, on one connection). Parameters come from the request, else the key's
 * Cryptographic Parameters, else AES-CBC-PKCS5; IVs the client does not give are generated
 * and returned.
 */
function cipherHandler(operation: number): OpHandler {
  const encrypting = operation === Operation.Encrypt;
  return async (p, ctx, op) => {
    const uid = p.uniqueIdentifier(ctx.idPlaceholder);
    const data = p.bytesOpt(Tag.Data) ?? new Uint8Array(0);
    const correlation = p.bytesOpt(Tag.CorrelationValue);
    const init = p.boolOpt(Tag.InitIndicator) === true;
    const final = p.boolOpt(Tag.FinalIndicator) === true;
    const use = encrypting ? KEY_USE.encrypt : KEY_USE.decrypt;
    const t = await resolveForUse(op, uid, use);
    const out: TtlvItem[] = [text(Tag.UniqueIdentifier, uid)];
    if (data.length > 0 || !correlation) await consumeUsage(op, t, data.length);

    if (correlation) {
      const stream = op.session.streams.get(correlation, uid, operation);
      if (!stream) throw new KmipError(ResultReason.InvalidField, 'unknown Correlation Value for this key and operation');
      try {
        const part = stream.update(data);
        if (!encrypting) op.session.wipe.push(part);
        if (!final) {
          if (part.length > 0) out.push(bytes(Tag.Data, part));
          out.push(bytes(Tag.CorrelationValue, correlation));
          return out;
        }
        const last = stream.final(p.bytesOpt(Tag.AuthenticatedEncryptionTag));
        const rest = concat(part, last.data);
        if (!encrypting) op.session.wipe.push(rest);
        if (rest.length > 0) out.push(bytes(Tag.Data, rest));
        if (last.tag) out.push(bytes(Tag.AuthenticatedEncryptionTag, last.tag));
        return out;
      } finally {
        if (final) op.session.streams.close(correlation);
      }
    }

    const key = await materialOf(op, t);
    if (!key) throw new KmipError(ResultReason.KeyValueNotPresent, 'the object has no key value to use');
    const params = resolveParams(p, t);
    const input = {
      algorithm: algorithmOf(t),
      key,
      params,
      iv: p.bytesOpt(Tag.IVCounterNonce),
      aad: p.bytesOpt(Tag.AuthenticatedEncryptionAdditionalData),
    };
    let stream: CipherStream;
    let generatedIv: Buffer | undefined;
    if (encrypting) {
      ({ stream, generatedIv } = beginEncrypt(input));
    } else {
      stream = beginDecrypt(input);
    }
    const first = stream.update(data);
    if (init && !final) {
      // Keep the key for the rest of the stream (zeroed when the stream closes).
      const c = op.session.streams.open(uid, operation, stream, Buffer.from(key));
      if (!encrypting) op.session.wipe.push(first);
      if (first.length > 0) out.push(bytes(Tag.Data, first));
      if (generatedIv) out.push(bytes(Tag.IVCounterNonce, generatedIv));
      out.push(bytes(Tag.CorrelationValue, c));
      return out;
    }
    const last = stream.final(p.bytesOpt(Tag.AuthenticatedEncryptionTag));
    const result = concat(first, last.data);
    if (!encrypting) op.session.wipe.push(result);
    out.push(bytes(Tag.Data, result));
    if (generatedIv) out.push(bytes(Tag.IVCounterNonce, generatedIv));
    if (last.tag) out.push(bytes(Tag.AuthenticatedEncryptionTag, last.tag));
    return out;
  };
}

function concat(a: Buffer, b: Buffer): Buffer {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = Buffer.concat([a, b]);
  a.fill(0);
  b.fill(0);
  return out;
}

export const encrypt = cipherHandler(Operation.Encrypt);
export const decrypt = cipherHandler(Operation.Decrypt);

