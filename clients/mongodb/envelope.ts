import { Binary } from 'mongodb';

/**
 * How an encrypted field is stored: one BSON Binary (user-defined subtype 0x80) holding
 *
 *   format(1) = 1 | mode(1) | keyIdLength(uint16be) | keyId(utf8) | iv(12) | tag(16) | ciphertext
 *
 * mode 1 = randomized (a fresh key per write, document id bound as associated data),
 * mode 2 = deterministic (a named per-field key, equal plaintexts give equal ciphertexts).
 * The key id is OpenKCM's KMIP identifier: decrypting asks the KMIP server to re-derive it.
 */
export const ENVELOPE_SUBTYPE = 0x80;
export const ENVELOPE_FORMAT = 1;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;

export type EnvelopeMode = 'randomized' | 'deterministic';
const MODE_BYTES: Record<EnvelopeMode, number> = { randomized: 1, deterministic: 2 };

export interface FieldEnvelope {
  mode: EnvelopeMode;
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

export function encodeEnvelope(envelope: FieldEnvelope): Buffer {
  const keyId = Buffer.from(envelope.keyId, 'utf8');
  if (keyId.length === 0 || keyId.length > 0xffff) throw new EnvelopeError('key id must be 1..65535 bytes');
  if (envelope.iv.length !== IV_LENGTH || envelope.tag.length !== TAG_LENGTH) throw new EnvelopeError('bad IV or tag length');
  return Buffer.concat([
    Buffer.from([ENVELOPE_FORMAT, MODE_BYTES[envelope.mode], keyId.length >> 8, keyId.length & 0xff]),
    keyId,
    envelope.iv,
    envelope.tag,
    envelope.ciphertext,
  ]);
}

export function decodeEnvelope(bytes: Buffer): FieldEnvelope {
  if (bytes.length < 4) throw new EnvelopeError('encrypted field is truncated');
  if (bytes[0] !== ENVELOPE_FORMAT) throw new EnvelopeError(`unknown encrypted field format ${bytes[0]}`);
  const mode = bytes[1] === 1 ? 'randomized' : bytes[1] === 2 ? 'deterministic' : undefined;
  if (!mode) throw new EnvelopeError(`unknown encryption mode ${bytes[1]}`);
  const keyIdLength = bytes.readUInt16BE(2);
  const ivStart = 4 + keyIdLength;
  const tagStart = ivStart + IV_LENGTH;
  const ciphertextStart = tagStart + TAG_LENGTH;
  if (keyIdLength === 0 || bytes.length < ciphertextStart) throw new EnvelopeError('encrypted field is truncated');
  return {
    mode,
    keyId: bytes.subarray(4, ivStart).toString('utf8'),
    iv: bytes.subarray(ivStart, tagStart),
    tag: bytes.subarray(tagStart, ciphertextStart),
    ciphertext: bytes.subarray(ciphertextStart),
  };
}

/**
 * The bytes of a stored encrypted field (a Binary of the envelope subtype) as a view, without a
 * copy (decoding only reads them); undefined for any other value.
 */
export function storedEnvelopeBytes(value: unknown): Buffer | undefined {
  if (!(value instanceof Binary) || value.sub_type !== ENVELOPE_SUBTYPE) return undefined;
  const bytes = value.buffer;
  return Buffer.from(bytes.buffer, bytes.byteOffset, value.length());
}
