import { Binary, ObjectId, type Document } from 'mongodb';
import { zeroize } from '../../lib/crypto/zero.js';
import { AssociatedData } from './associated-data.js';
import { ENVELOPE_SUBTYPE, decodeEnvelope, encodeEnvelope, storedEnvelopeBytes, type EnvelopeMode, type FieldEnvelope } from './envelope.js';
import { decryptField, encryptField } from './field-cipher.js';
import { KeyCache } from './key-cache.js';
import type { DataKey, KeySource } from './key-source.js';

export interface FieldEncryptionOptions {
  keys: KeySource;
  /** `database.collection`: bound into every field's associated data. */
  namespace: string;
  /** Fields (dotted paths allowed) encrypted with a fresh key per document write. */
  encryptedFields: readonly string[];
  /**
   * Fields encrypted deterministically, so equality queries work. Weaker by design: equal values
   * have equal ciphertexts, which reveals which documents share a value. Only when chosen.
   */
  deterministicFields?: readonly string[];
  /**
   * 'write' (default): one fresh key per write call — insertOne, or a whole insertMany — so a
   * key never protects more than one write. 'document': one per document, at one more KMIP
   * batch item pair per document.
   */
  keyScope?: 'write' | 'document';
  /**
   * How long fetched and fresh keys stay in this process for reads; 0 disables. Default 10 s:
   * short, because a revoked L1 stops new keys at the KMIP server within a second, but keys
   * already in a client's memory only when they expire here (libmongocrypt keeps them 60 s).
   */
  keyCacheTtlMs?: number;
  keyCacheSize?: number;
}

export class FieldEncryptionError extends Error {
  override readonly name = 'FieldEncryptionError';
}

/**
 * Client-side field encryption with keys from OpenKCM. Every write gets a fresh ephemeral key
 * (one KMIP round trip, also for a whole insertMany); each encrypted field is AES-256-GCM
 * with the namespace, the field path and the document id as associated data, so a ciphertext
 * moved to another document or field fails to decrypt. Keys are zeroed after use.
 */
export class FieldEncryption {
  private readonly randomized: readonly string[];
  readonly deterministic: readonly string[];
  private readonly namedKeys = new Map<string, Promise<DataKey>>();
  private readonly cache: KeyCache;
  private readonly associatedData: AssociatedData;

  constructor(private readonly options: FieldEncryptionOptions) {
    this.deterministic = options.deterministicFields ?? [];
    this.randomized = options.encryptedFields.filter((f) => !this.deterministic.includes(f));
    this.associatedData = new AssociatedData(options.namespace);
    this.cache = new KeyCache({ ttlMs: options.keyCacheTtlMs ?? 10_000, maxEntries: options.keyCacheSize ?? 10_000 });
  }

  /** Returns encrypted copies; documents without `_id` get one, since the id is bound into the ciphertext. */
  async encryptDocuments<T extends Document>(documents: readonly T[]): Promise<T[]> {
    const withIds = documents.map((d) => ({ _id: new ObjectId(), ...d }) as T & { _id: unknown });
    const needsFreshKey = withIds.map((d) => this.randomized.some((f) => getPath(d, f) !== undefined));
    const needed = needsFreshKey.filter(Boolean).length;
    const perDocument = this.options.keyScope === 'document';
    const fresh = await this.options.keys.freshKeys(perDocument ? needed : Math.min(needed, 1));
    try {
      for (const key of fresh) this.cache.set(key.id, key.material);
      let next = 0;
      for (const [i, doc] of withIds.entries()) {
        if (needsFreshKey[i]) {
          const key = fresh[perDocument ? next++ : 0]!;
          for (const field of this.randomized) this.encryptInPlace(doc, field, 'randomized', key);
        }
        for (const field of this.deterministic) {
          if (getPath(doc, field) !== undefined) this.encryptInPlace(doc, field, 'deterministic', await this.namedKey(field));
        }
      }
      return withIds;
    } finally {
      for (const key of fresh) zeroize(key.material);
    }
  }

  async encryptDocument<T extends Document>(document: T): Promise<T> {
    const [encrypted] = await this.encryptDocuments([document]);
    return encrypted!;
  }

  /** Decrypted copies; keys not in the cache are fetched once per distinct key id, in one KMIP batch. */
  async decryptDocuments<T extends Document>(documents: readonly T[]): Promise<T[]> {
    const copies = documents.map((d) => ({ ...d }));
    // Each envelope is decoded once: its key id decides the KMIP batch, then it is decrypted.
    const randomized: Array<{ doc: Document; field: string; envelope: FieldEnvelope }> = [];
    for (const doc of copies) {
      for (const field of this.randomized) {
        const stored = storedEnvelopeBytes(getPath(doc, field));
        if (stored) randomized.push({ doc, field, envelope: decodeEnvelope(stored) });
      }
    }
    const keys = await this.keysFor([...new Set(randomized.map((r) => r.envelope.keyId))]);
    try {
      for (const { doc, field, envelope } of randomized) this.decryptInPlace(doc, field, envelope, keys.get(envelope.keyId));
      for (const doc of copies) {
        for (const field of this.deterministic) {
          const stored = storedEnvelopeBytes(getPath(doc, field));
          if (!stored) continue;
          const key = await this.namedKey(field);
          const envelope = decodeEnvelope(stored);
          this.decryptInPlace(doc, field, envelope, envelope.keyId === key.id ? key.material : undefined);
        }
      }
      return copies;
    } finally {
      for (const material of keys.values()) zeroize(material);
    }
  }

  async decryptDocument<T extends Document>(document: T): Promise<T> {
    const [decrypted] = await this.decryptDocuments([document]);
    return decrypted!;
  }

  /** The stored form of `value` in a deterministic field, for equality queries. */
  async queryValue(field: string, value: unknown): Promise<Binary> {
    if (!this.deterministic.includes(field)) {
      throw new FieldEncryptionError(`${field} is not a deterministic field; randomized fields cannot be queried by value`);
    }
    const key = await this.namedKey(field);
    const envelope = encryptField('deterministic', key.id, key.material, value, this.aad(field, undefined));
    return new Binary(encodeEnvelope(envelope), ENVELOPE_SUBTYPE);
  }

  /** Working copies of the keys, from the cache or from OpenKCM (which then fill the cache). */
  private async keysFor(ids: readonly string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.cache.get(id);
      if (cached) keys.set(id, cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const [id, material] of await this.options.keys.keys(missing)) {
        this.cache.set(id, material);
        keys.set(id, material);
      }
    }
    return keys;
  }

  /** Zeroes every key this instance holds: the cache and the deterministic keys. */
  async close(): Promise<void> {
    this.cache.clear();
    for (const pending of this.namedKeys.values()) {
      await pending.then((key) => zeroize(key.material), () => undefined);
    }
    this.namedKeys.clear();
  }

  private namedKey(field: string): Promise<DataKey> {
    let key = this.namedKeys.get(field);
    if (!key) {
      key = this.options.keys.namedKey(`openkcm-fle:${this.options.namespace}:${field}`);
      key.catch(() => this.namedKeys.delete(field));
      this.namedKeys.set(field, key);
    }
    return key;
  }

  private encryptInPlace(doc: Document, field: string, mode: EnvelopeMode, key: DataKey): void {
    const value = getPath(doc, field);
    if (value === undefined) return;
    const aad = this.aad(field, mode === 'randomized' ? doc._id : undefined);
    setPath(doc, field, new Binary(encodeEnvelope(encryptField(mode, key.id, key.material, value, aad)), ENVELOPE_SUBTYPE));
  }

  private decryptInPlace(doc: Document, field: string, envelope: FieldEnvelope, key: Buffer | undefined): void {
    if (!key) throw new FieldEncryptionError(`no key for ${field}`);
    const aad = this.aad(field, envelope.mode === 'randomized' ? doc._id : undefined);
    setPath(doc, field, decryptField(envelope, key, aad));
  }

  /** namespace, field and (randomized mode) the document id. */
  private aad(field: string, documentId: unknown): Buffer {
    return this.associatedData.of(field, documentId);
  }
}

function getPath(doc: Document, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Document)[part];
  }
  return current;
}

/** Sets a (dotted) field on `doc`, copying nested objects on the way so the caller's input is never changed. */
function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let current = doc;
  for (const part of parts.slice(0, -1)) {
    const copy = { ...(current[part] as Document) };
    current[part] = copy;
    current = copy;
  }
  current[parts.at(-1)!] = value;
}
