import { randomBytes } from 'node:crypto';
import { Binary, ObjectId, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_SUBTYPE, EnvelopeError, decodeEnvelope, encodeEnvelope } from './envelope.js';
import { FieldEncryption } from './field-encryption.js';
import type { DataKey, KeySource } from './key-source.js';

/** Keys held in memory, standing in for the KMIP server in these unit tests only. */
class MemoryKeySource implements KeySource {
  readonly store = new Map<string, Buffer>();
  handedOut: Buffer[] = [];
  async freshKeys(count: number): Promise<DataKey[]> {
    return Array.from({ length: count }, () => this.issue(`e1.${randomBytes(6).toString('hex')}`));
  }
  async keys(ids: readonly string[]): Promise<Map<string, Buffer>> {
    return new Map(ids.map((id) => [id, this.copy(id)]));
  }
  async namedKey(name: string): Promise<DataKey> {
    return this.store.has(name) ? { id: name, material: this.copy(name) } : this.issue(name);
  }
  private issue(id: string): DataKey {
    this.store.set(id, randomBytes(32));
    return { id, material: this.copy(id) };
  }
  private copy(id: string): Buffer {
    const key = Buffer.from(this.store.get(id)!);
    this.handedOut.push(key);
    return key;
  }
}

const customer = { customer_id: '12345', name: 'John Doe', email: 'john@company.com', address: { city: 'Berlin' } };

function setup() {
  const keys = new MemoryKeySource();
  const fle = new FieldEncryption({
    keys,
    namespace: 'app.customer_data',
    encryptedFields: ['name', 'email', 'address.city'],
    deterministicFields: ['email'],
  });
  return { keys, fle };
}

describe('FieldEncryption', () => {
  it('encrypts chosen fields, leaves the rest in clear, and decrypts back exactly', async () => {
    const { fle } = setup();
    const stored = await fle.encryptDocument(customer);
    expect(stored.customer_id).toBe('12345');
    expect(stored.name).toBeInstanceOf(Binary);
    expect((stored.name as unknown as Binary).sub_type).toBe(ENVELOPE_SUBTYPE);
    expect(JSON.stringify(stored)).not.toContain('John');
    expect((stored.address as { city: unknown }).city).toBeInstanceOf(Binary);
    expect(customer.address.city).toBe('Berlin'); // the caller's object is untouched
    const back = await fle.decryptDocument(stored);
    expect(back).toMatchObject(customer);
    expect((back as { _id?: unknown })._id).toBeInstanceOf(ObjectId);
  });

  it('uses a fresh key for every write (or every document, if asked) and zeroes every key it received', async () => {
    const { fle, keys } = setup();
    const keyOf = (d: Document | undefined) => decodeEnvelope(Buffer.from((d!.name as Binary).buffer)).keyId;
    const [a, b] = await fle.encryptDocuments([customer, customer]);
    const c = await fle.encryptDocument(customer);
    expect(keyOf(a)).toBe(keyOf(b));
    expect(keyOf(c)).not.toBe(keyOf(a));
    const perDocument = new FieldEncryption({ keys, namespace: 'app.c', encryptedFields: ['name'], keyScope: 'document' });
    const [d, e] = await perDocument.encryptDocuments([customer, customer]);
    expect(keyOf(d)).not.toBe(keyOf(e));
    await fle.decryptDocuments([a!, b!]);
    await fle.close();
    await perDocument.close();
    expect(keys.handedOut.length).toBeGreaterThan(0);
    expect(keys.handedOut.every((k) => k.every((byte) => byte === 0))).toBe(true);
  });

  it('reads back recent writes from its key cache, and asks OpenKCM for keys it does not hold', async () => {
    const { keys } = setup();
    let fetched = 0;
    const counting: KeySource = { ...keys, freshKeys: (n) => keys.freshKeys(n), namedKey: (n) => keys.namedKey(n), keys: (ids) => ((fetched += ids.length), keys.keys(ids)) };
    const writer = new FieldEncryption({ keys: counting, namespace: 'a.b', encryptedFields: ['name'] });
    const stored = await writer.encryptDocument(customer);
    await writer.decryptDocument(stored);
    expect(fetched).toBe(0);
    const coldReader = new FieldEncryption({ keys: counting, namespace: 'a.b', encryptedFields: ['name'] });
    await coldReader.decryptDocument(stored);
    await coldReader.decryptDocument(stored);
    expect(fetched).toBe(1);
    const uncached = new FieldEncryption({ keys: counting, namespace: 'a.b', encryptedFields: ['name'], keyCacheTtlMs: 0 });
    await uncached.decryptDocument(stored);
    await uncached.decryptDocument(stored);
    expect(fetched).toBe(3);
    await Promise.all([writer.close(), coldReader.close(), uncached.close()]);
  });

  it('refuses a ciphertext moved to another document or field', async () => {
    const { fle } = setup();
    const [a, b] = await fle.encryptDocuments([customer, { ...customer, name: 'Jane Roe' }]);
    await expect(fle.decryptDocument({ ...b!, name: a!.name })).rejects.toThrow(/failed authentication/);
    await expect(fle.decryptDocument({ ...a!, address: { city: a!.name } })).rejects.toThrow(/failed authentication/);
  });

  it('encrypts deterministic fields equally, so equality queries can match them', async () => {
    const { fle } = setup();
    const [a, b] = await fle.encryptDocuments([customer, { ...customer, name: 'Other' }]);
    const query = await fle.queryValue('email', 'john@company.com');
    expect(Buffer.from((a!.email as unknown as Binary).buffer).equals(Buffer.from(query.buffer))).toBe(true);
    expect(Buffer.from((b!.email as unknown as Binary).buffer).equals(Buffer.from(query.buffer))).toBe(true);
    await expect(fle.queryValue('name', 'John Doe')).rejects.toThrow(/not a deterministic field/);
  });

  it('round-trips any BSON value type', async () => {
    const keys = new MemoryKeySource();
    const fle = new FieldEncryption({ keys, namespace: 'a.b', encryptedFields: ['v'] });
    for (const v of [42, 3.5, true, null, new Date(0), ['x', 1], { nested: 'yes' }, Buffer.from('raw')]) {
      const back = await fle.decryptDocument(await fle.encryptDocument({ v }));
      expect(back.v).toEqual(v);
    }
  });
});

describe('field envelope', () => {
  it('rejects truncated and unknown formats with a clear error', () => {
    const good = encodeEnvelope({ mode: 'randomized', keyId: 'k', iv: Buffer.alloc(12), tag: Buffer.alloc(16), ciphertext: Buffer.from('x') });
    for (let cut = 0; cut < 4 + 1 + 12 + 16; cut++) expect(() => decodeEnvelope(good.subarray(0, cut))).toThrow(EnvelopeError);
    expect(() => decodeEnvelope(Buffer.from([9, 1, 0, 1]))).toThrow(/unknown encrypted field format/);
    expect(decodeEnvelope(good).keyId).toBe('k');
  });
});
