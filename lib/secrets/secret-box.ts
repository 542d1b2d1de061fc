import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { PlatformKeys } from './platform-key.js';
import { PLATFORM_KEY_BYTES } from './platform-key.js';

/**
 * Secrets at rest under the platform key: AES-256-GCM with caller-chosen associated data.
 *
 * Sealed form (ASCII, safe to store as a string): `v1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`
 * - keyId: first 8 bytes (hex) of SHA-256 over a label and the key, so a sealed value names the
 *   key that opens it and the platform key can be rotated (old keys stay able to open);
 * - the AAD given to GCM is `openkcm.secretbox.v1 \0 keyId \0 aad`, so the header and the
 *   caller's context (e.g. "keystore:<tenant>:<id>:secretAccessKey") are both authenticated:
 *   a sealed value copied to another record does not open there.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_SEALED_CHARS = 4 * 1024 * 1024;
const AAD_LABEL = 'openkcm.secretbox.v1';

export type SecretBoxErrorCode = 'malformed' | 'unknown-key' | 'authentication-failed' | 'invalid-argument';

/** Raised on any failure to open; the message never contains the sealed input or plaintext. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function platformKeyId(key: Buffer): string {
  return createHash('sha256').update('openkcm.platform-key-id\0').update(key).digest().subarray(0, 8).toString('hex');
}

export class SecretBox {
  readonly #keys = new Map<string, Buffer>();
  readonly #currentId: string;
  #destroyed = false;

  /** Keeps its own copies of the keys; `destroy()` zeroes them. */
  constructor(keys: PlatformKeys) {
    for (const key of [keys.current, ...keys.previous]) {
      if (key.length !== PLATFORM_KEY_BYTES) {
        throw new SecretBoxError('invalid-argument', `platform keys must be ${PLATFORM_KEY_BYTES} bytes`);
      }
    }
    this.#currentId = platformKeyId(keys.current);
    for (const key of [keys.current, ...keys.previous]) {
      const id = platformKeyId(key);
      if (!this.#keys.has(id)) this.#keys.set(id, Buffer.from(key));
    }
  }

  /** The id of the key that seals; shows up as the second field of every sealed value. */
  get currentKeyId(): string {
    return this.#currentId;
  }

  seal(plaintext: Buffer | string, aad: string): string {
    const key = this.#key(this.#currentId);
    checkAad(aad);
    const owned = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : undefined;
    const input = owned ?? (plaintext as Buffer);
    try {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(gcmAad(this.#currentId, aad));
      const body = Buffer.concat([iv, cipher.update(input), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${this.#currentId}.${body.toString('base64url')}`;
    } finally {
      owned?.fill(0);
    }
  }

  /** Returns the plaintext; the caller owns the buffer and should zero it after use. */
  open(sealed: string, aad: string): Buffer {
    checkAad(aad);
    const { keyId, body } = parseSealed(sealed);
    const key = this.#keys.get(keyId);
    if (!key || this.#destroyed) {
      throw new SecretBoxError('unknown-key', `sealed with platform key ${keyId}, which is not loaded`);
    }
    const iv = body.subarray(0, IV_BYTES);
    const tag = body.subarray(body.length - TAG_BYTES);
    const ciphertext = body.subarray(IV_BYTES, body.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(gcmAad(keyId, aad));
    decipher.setAuthTag(tag);
    // GCM's update() yields all plaintext and final() none, so there is exactly one buffer to own.
    const plaintext = decipher.update(ciphertext);
    try {
      const rest = decipher.final();
      if (rest.length !== 0) throw new Error('unexpected trailing plaintext');
    } catch {
      plaintext.fill(0);
      throw new SecretBoxError('authentication-failed', 'sealed secret failed authentication (tampered, or wrong context)');
    }
    return plaintext;
  }

  /** Opens and decodes UTF-8; for secrets that are text (client secrets, PINs). */
  openText(sealed: string, aad: string): string {
    const buf = this.open(sealed, aad);
    try {
      return buf.toString('utf8');
    } finally {
      buf.fill(0);
    }
  }

  /** True when `sealed` was made under a key other than the current one (re-seal after rotation). */
  needsResealing(sealed: string): boolean {
    return parseSealed(sealed).keyId !== this.#currentId;
  }

  /** Opens with whichever key sealed it and seals again under the current key. */
  reseal(sealed: string, aad: string): string {
    const plaintext = this.open(sealed, aad);
    try {
      return this.seal(plaintext, aad);
    } finally {
      plaintext.fill(0);
    }
  }

  destroy(): void {
    for (const key of this.#keys.values()) key.fill(0);
    this.#destroyed = true;
  }

  #key(id: string): Buffer {
    const key = this.#keys.get(id);
    if (!key || this.#destroyed) throw new SecretBoxError('unknown-key', 'secret box has been destroyed');
    return key;
  }
}

function checkAad(aad: string): void {
  if (typeof aad !== 'string' || aad.length === 0) {
    throw new SecretBoxError('invalid-argument', 'associated data must be a non-empty string naming where the secret belongs');
  }
}

function gcmAad(keyId: string, aad: string): Buffer {
  return Buffer.from(`${AAD_LABEL}\0${keyId}\0${aad}`, 'utf8');
}

function parseSealed(sealed: string): { keyId: string; body: Buffer } {
  if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_CHARS) {
    throw new SecretBoxError('malformed', 'sealed secret is not a string of acceptable size');
  }
  const parts = sealed.split('.');
  const [version, keyId, encoded] = parts;
  if (parts.length !== 3 || version !== VERSION) {
    throw new SecretBoxError('malformed', 'sealed secret has an unknown format or version');
  }
  if (!keyId || !/^[0-9a-f]{16}$/.test(keyId) || !encoded || !/^[A-Za-z0-9_-]+$/.test(encoded)) {
    throw new SecretBoxError('malformed', 'sealed secret is malformed');
  }
  const body = Buffer.from(encoded, 'base64url');
  if (body.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('malformed', 'sealed secret is truncated');
  return { keyId, body };
}
