import type { CipherGCM, DecipherGCM } from 'node:crypto';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { publicRandomBytes } from '../../lib/crypto/public-random.js';
import { BlockCipherMode, CryptographicAlgorithm, PaddingMethod, ResultReason } from '../codec/enums.js';
import { KmipError, cryptographicFailure, featureNotSupported, invalidField, invalidMessage } from '../protocol/errors.js';

/**
 * Server-side Encrypt/Decrypt with AES (ECB, CBC, CTR, GCM) and Triple DES (ECB, CBC).
 * When a request and its key carry no Cryptographic Parameters at all, the default is
 * AES-CBC with PKCS#5 padding and a server-generated IV (what mongod sends and expects).
 */
export interface CipherParams {
  readonly mode: number;
  readonly padding: number;
  readonly tagLength?: number;
  /** Server generates the IV (also done whenever a mode needs an IV and the client sent none). */
  readonly randomIV?: boolean;
  /** Bits, as KMIP says. */
  readonly ivLength?: number;
}

export const DEFAULT_PARAMS: CipherParams = { mode: BlockCipherMode.CBC, padding: PaddingMethod.PKCS5 };

/** GCM tags shorter than 96 bits weaken authentication (NIST SP 800-38D §5.2.1.2); they are refused. */
const GCM_TAG_LENGTHS = new Set([12, 13, 14, 15, 16]);
const DEFAULT_GCM_IV_BYTES = 12;

export interface EncryptInput {
  readonly algorithm: number;
  readonly key: Buffer;
  readonly params: CipherParams;
  readonly data: Uint8Array;
  readonly iv?: Uint8Array;
  readonly aad?: Uint8Array;
}

export interface EncryptOutput {
  readonly data: Buffer;
  /** Set when the server chose the IV; it goes back to the client. */
  readonly generatedIv?: Buffer;
  readonly tag?: Buffer;
}

export interface DecryptInput extends EncryptInput {
  readonly tag?: Uint8Array;
}

interface Suite {
  readonly name: string;
  readonly block: number;
  readonly ivBytes: number;
}

/** The OpenSSL cipher for an algorithm, key size and mode. */
export function suiteFor(algorithm: number, keyBytes: number, mode: number): Suite {
  if (algorithm === CryptographicAlgorithm.AES) {
    if (keyBytes !== 16 && keyBytes !== 24 && keyBytes !== 32) throw invalidField('AES keys are 128, 192 or 256 bits');
    const bits = keyBytes * 8;
    switch (mode) {
      case BlockCipherMode.ECB:
        return { name: `aes-${bits}-ecb`, block: 16, ivBytes: 0 };
      case BlockCipherMode.CBC:
        return { name: `aes-${bits}-cbc`, block: 16, ivBytes: 16 };
      case BlockCipherMode.CTR:
        return { name: `aes-${bits}-ctr`, block: 1, ivBytes: 16 };
      case BlockCipherMode.GCM:
        return { name: `aes-${bits}-gcm`, block: 1, ivBytes: DEFAULT_GCM_IV_BYTES };
      default:
        throw featureNotSupported('block cipher mode not supported for AES (use ECB, CBC, CTR or GCM)');
    }
  }
  if (algorithm === CryptographicAlgorithm.DES3) {
    const base = keyBytes === 24 ? 'des-ede3' : keyBytes === 16 ? 'des-ede' : undefined;
    if (!base) throw invalidField('Triple DES keys are 112 or 168 bits');
    if (mode === BlockCipherMode.ECB) return { name: base === 'des-ede3' ? 'des-ede3-ecb' : 'des-ede-ecb', block: 8, ivBytes: 0 };
    if (mode === BlockCipherMode.CBC) return { name: `${base}-cbc`, block: 8, ivBytes: 8 };
    throw featureNotSupported('block cipher mode not supported for Triple DES (use ECB or CBC)');
  }
  throw featureNotSupported('server-side encryption supports AES and Triple DES keys');
}

function checkPadding(p: CipherParams, suite: Suite): boolean {
  if (p.mode === BlockCipherMode.GCM || p.mode === BlockCipherMode.CTR) return false;
  if (p.padding === PaddingMethod.PKCS5) return true;
  if (p.padding === PaddingMethod.None) return false;
  throw featureNotSupported(`padding method not supported with ${suite.name} (use None or PKCS5)`);
}

function tagLengthOf(p: CipherParams): number {
  const t = p.tagLength ?? 16;
  // The OASIS GCM cases expect General Failure for impossible tag lengths.
  if (!GCM_TAG_LENGTHS.has(t)) throw new KmipError(ResultReason.GeneralFailure, 'invalid tag length: GCM tags are 12 to 16 bytes');
  return t;
}

function ivFor(p: CipherParams, suite: Suite, given: Uint8Array | undefined): { iv: Buffer | null; generated?: Buffer } {
  if (suite.ivBytes === 0) return { iv: null };
  if (given !== undefined && !p.randomIV) {
    if (p.mode !== BlockCipherMode.GCM && given.length !== suite.ivBytes) {
      throw invalidField(`${suite.name} needs a ${suite.ivBytes}-byte IV/Counter/Nonce`);
    }
    if (given.length === 0) throw invalidField('IV/Counter/Nonce is empty');
    return { iv: Buffer.from(given) };
  }
  const bytes = p.mode === BlockCipherMode.GCM && p.ivLength !== undefined ? p.ivLength / 8 : suite.ivBytes;
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 128) throw invalidField('IV Length must be a whole number of bytes');
  const generated = publicRandomBytes(bytes);
  return { iv: generated, generated };
}

/** A cipher in progress: one-shot operations and KMIP streaming (Init/Final Indicator) share it. */
export interface CipherStream {
  update(data: Uint8Array): Buffer;
  /** The rest of the output, and the tag for GCM encryption. `tag` is required to finish a GCM decryption. */
  final(tag?: Uint8Array): { data: Buffer; tag?: Buffer };
}

export function beginEncrypt(input: Omit<EncryptInput, 'data'>): { stream: CipherStream; generatedIv?: Buffer } {
  const p = input.params;
  const suite = suiteFor(input.algorithm, input.key.length, p.mode);
  const padding = checkPadding(p, suite);
  const { iv, generated } = ivFor(p, suite, input.iv);
  if (p.mode === BlockCipherMode.GCM) {
    const tagLength = tagLengthOf(p);
    const c = createCipheriv(suite.name as 'aes-256-gcm', input.key, iv!, { authTagLength: tagLength }) as CipherGCM;
    if (input.aad) c.setAAD(input.aad);
    return {
      generatedIv: generated,
      stream: { update: (d) => c.update(d), final: () => ({ data: c.final(), tag: c.getAuthTag() }) },
    };
  }
  const c = createCipheriv(suite.name, input.key, iv);
  c.setAutoPadding(padding);
  let fed = 0;
  return {
    generatedIv: generated,
    stream: {
      update: (d) => {
        fed += d.length;
        return c.update(d);
      },
      final: () => {
        if (!padding && suite.block > 1 && fed % suite.block !== 0) throw invalidField(`data must be a multiple of ${suite.block} bytes without padding`);
        return { data: c.final() };
      },
    },
  };
}

export function encrypt(input: EncryptInput): EncryptOutput {
  const { stream, generatedIv } = beginEncrypt(input);
  const first = stream.update(input.data);
  const { data: last, tag } = stream.final();
  const data = last.length === 0 ? first : Buffer.concat([first, last]);
  if (last.length !== 0) first.fill(0);
  return { data, generatedIv, tag };
}

export function beginDecrypt(input: Omit<DecryptInput, 'data' | 'tag'>): CipherStream {
  const p = input.params;
  const suite = suiteFor(input.algorithm, input.key.length, p.mode);
  const padding = checkPadding(p, suite);
  if (suite.ivBytes > 0 && input.iv === undefined) throw invalidMessage('missing-iv: this mode needs the IV/Counter/Nonce used to encrypt');
  const iv = suite.ivBytes > 0 ? Buffer.from(input.iv!) : null;
  if (iv && p.mode !== BlockCipherMode.GCM && iv.length !== suite.ivBytes) throw invalidField(`${suite.name} needs a ${suite.ivBytes}-byte IV/Counter/Nonce`);
  if (p.mode === BlockCipherMode.GCM) {
    let d: DecipherGCM | undefined;
    const pending: Uint8Array[] = [];
    // The tag length fixes the decipher's parameters, and KMIP sends the tag last: buffer until then.
    return {
      update: (data) => {
        pending.push(Buffer.from(data));
        return Buffer.alloc(0);
      },
      final: (tag) => {
        if (!tag) throw invalidField('Authenticated Encryption Tag is required for GCM');
        if (p.tagLength !== undefined && p.tagLength !== tag.length) throw invalidField('Tag Length does not match the tag given');
        tagLengthOf({ ...p, tagLength: tag.length });
        d = createDecipheriv(suite.name as 'aes-256-gcm', input.key, iv!, { authTagLength: tag.length }) as DecipherGCM;
        if (input.aad) d.setAAD(input.aad);
        d.setAuthTag(tag);
        const parts = pending.map((x) => d!.update(x));
        for (const x of pending) x.fill(0);
        try {
          parts.push(d.final());
        } catch {
          for (const x of parts) x.fill(0);
          throw cryptographicFailure('decryption failed: the data, IV, tag or additional data do not authenticate');
        }
        const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        if (parts.length > 1) for (const x of parts) x.fill(0);
        return { data };
      },
    };
  }
  const d = createDecipheriv(suite.name, input.key, iv);
  d.setAutoPadding(padding);
  let fed = 0;
  return {
    update: (data) => {
      fed += data.length;
      return d.update(data);
    },
    final: () => {
      if (suite.block > 1 && fed % suite.block !== 0) throw invalidField(`ciphertext must be a multiple of ${suite.block} bytes`);
      try {
        return { data: d.final() };
      } catch {
        throw cryptographicFailure('decryption failed');
      }
    },
  };
}

export function decrypt(input: DecryptInput): Buffer {
  const stream = beginDecrypt(input);
  let first: Buffer;
  try {
    first = stream.update(input.data);
  } catch {
    throw cryptographicFailure('decryption failed');
  }
  let last: Buffer;
  try {
    last = stream.final(input.tag).data;
  } catch (e) {
    first.fill(0);
    throw e instanceof KmipError ? e : cryptographicFailure('decryption failed');
  }
  if (first.length === 0) return last;
  if (last.length === 0) return first;
  const out = Buffer.concat([first, last]);
  first.fill(0);
  last.fill(0);
  return out;
}
