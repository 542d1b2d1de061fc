import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipResultError } from '../../../clients/kmip/errors.js';
import * as ops from '../../../clients/kmip/operations.js';
import {
  BlockCipherMode,
  CryptographicAlgorithm,
  CryptographicUsageMask,
  DerivationMethod,
  EncodingOption,
  KeyFormatType,
  KeyWrapType,
  ObjectType,
  Operation,
  PaddingMethod,
  ResultReason,
  RevocationReasonCode,
  SecretDataType,
  State,
  WrappingMethod,
} from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { decodeTtlv } from '../../../kmip-server/codec/decoder.js';
import type { TtlvItem, TtlvStructure } from '../../../kmip-server/codec/types.js';
import { ItemType, bool, bytes, dateTimeOf, enumeration, int, struct, text } from '../../../kmip-server/codec/types.js';
import { encodeTtlv } from '../../../kmip-server/codec/encoder.js';
import type { KmipClient } from '../../../clients/kmip/client.js';
import type { KmipAttribute } from '../../../kmip-server/protocol/attributes.js';
import { Fields } from '../../../kmip-server/protocol/payload.js';
import { unpackAttributes } from '../../../kmip-server/objects/packed-attributes.js';
import type { KmipTestEnv } from './support.js';
import { clientFor, startEnv, unavailable, withFreshClient } from './support.js';

const skip = unavailable();
let env: KmipTestEnv;
const V10 = { major: 1, minor: 0 };
const V12 = { major: 1, minor: 2 };
const V20 = { major: 2, minor: 0 };
const ephemeralAttr: KmipAttribute = { name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) };

beforeAll(async () => {
  if (!skip) env = await startEnv();
});
afterAll(async () => {
  await env?.h.stop();
});

function stateOf(attrs: KmipAttribute[]): number | undefined {
  const s = attrs.find((a) => a.name === 'State' || a.tag === Tag.State)?.value;
  return s && s.type === ItemType.Enumeration ? s.value : undefined;
}

async function reason(p: Promise<unknown>): Promise<{ reason: number | undefined; message: string | undefined }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KmipResultError) return { reason: e.resultReason, message: e.resultMessage };
    throw e;
  }
  throw new Error('expected the operation to fail');
}

describe.skipIf(skip)('mongod Enterprise key flow (every request on a fresh connection, two workers)', () => {
  it('Create → Get while Pre-Active → Activate → GetAttributes(State) is Active on every new connection', async () => {
    const { h, clientA } = env;
    for (let round = 0; round < 5; round++) {
      const created = await withFreshClient(h, clientA, (c) => c.create({ algorithm: CryptographicAlgorithm.AES, length: 256 }), V12);
      const got = await withFreshClient(h, clientA, (c) => c.get(created.uniqueIdentifier), V12);
      expect(got.objectType).toBe(ObjectType.SymmetricKey);
      expect(got.keyMaterial).toHaveLength(32);
      expect(got.algorithm).toBe(CryptographicAlgorithm.AES);
      expect(got.length).toBe(256);
      const pre = await withFreshClient(h, clientA, (c) => c.getAttributes(created.uniqueIdentifier, ['State']), V12);
      expect(stateOf(pre)).toBe(State.PreActive);
      await withFreshClient(h, clientA, (c) => c.activate(created.uniqueIdentifier), V12);
      // Read-your-writes across workers: each of these lands on whichever worker accepts it.
      for (let i = 0; i < 4; i++) {
        const after = await withFreshClient(h, clientA, (c) => c.getAttributes(created.uniqueIdentifier, ['State']), V12);
        expect(stateOf(after)).toBe(State.Active);
      }
      const again = await withFreshClient(h, clientA, (c) => c.get(created.uniqueIdentifier), V12);
      expect(Buffer.from(again.keyMaterial!).equals(Buffer.from(got.keyMaterial!))).toBe(true);
    }
  });

  it('Encrypt with no Cryptographic Parameters is AES-CBC-PKCS5 with a server IV', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create();
      await c.activate(uid);
      const key = (await c.get(uid)).keyMaterial!;
      const plain = Buffer.from('mongod master key material, 46 bytes long....');
      const enc = await c.encrypt(uid, plain);
      expect(enc.iv).toHaveLength(16);
      const d = createDecipheriv('aes-256-cbc', key, enc.iv!);
      expect(Buffer.concat([d.update(enc.data), d.final()]).equals(plain)).toBe(true);
      expect(Buffer.from((await c.decrypt(uid, enc.data, { iv: enc.iv })).data).equals(plain)).toBe(true);
    });
  });
});

describe.skipIf(skip)('libmongocrypt flows, as its KMIP client sends them', () => {
  it('default: Register a 96-byte Seed (KMIP 1.0) → Activate → Get returns the same bytes', async () => {
    const seed = randomBytes(96);
    const uid = await withFreshClient(
      env.h,
      env.clientA,
      (c) =>
        c.register({
          objectType: ObjectType.SecretData,
          object: ops.secretDataObject(seed, SecretDataType.Seed),
          attributes: [int(Tag.CryptographicUsageMask, 0)],
        }),
      V10,
    );
    await withFreshClient(env.h, env.clientA, (c) => c.activate(uid), V10);
    const got = await withFreshClient(env.h, env.clientA, (c) => c.get(uid), V10);
    expect(got.objectType).toBe(ObjectType.SecretData);
    expect(Buffer.from(got.keyMaterial!).equals(seed)).toBe(true);
  });

  it('delegated: Create AES-256 (KMIP 1.2) → Activate → Encrypt/Decrypt CBC-PKCS5 with a server-generated IV', async () => {
    const { uniqueIdentifier: uid } = await withFreshClient(
      env.h,
      env.clientA,
      (c) => c.create({ usageMask: CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt }),
      V12,
    );
    await withFreshClient(env.h, env.clientA, (c) => c.activate(uid), V12);
    const params = { blockCipherMode: BlockCipherMode.CBC, paddingMethod: PaddingMethod.PKCS5, algorithm: CryptographicAlgorithm.AES, randomIV: true };
    const dek = randomBytes(96);
    const enc = await withFreshClient(env.h, env.clientA, (c) => c.encrypt(uid, dek, { parameters: params }), V12);
    expect(enc.iv).toHaveLength(16);
    expect(enc.data).toHaveLength(112);
    const dec = await withFreshClient(env.h, env.clientA, (c) => c.decrypt(uid, enc.data, { parameters: params, iv: enc.iv }), V12);
    expect(Buffer.from(dec.data).equals(dek)).toBe(true);
  });
});

describe.skipIf(skip)('ephemeral per-operation keys', () => {
  it('Create yields an identifier carrying its context; Get re-derives the same key on any worker; nothing is stored', async () => {
    const { h, clientA } = env;
    const before = await h.store.db.collection('kmipObjects').countDocuments();
    const { uniqueIdentifier: uid } = await withFreshClient(h, clientA, (c) => c.create({ attributes: [ephemeralAttr] }));
    expect(uid).toMatch(/^e2\.tenant-a\.1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{11}$/);
    const keys = await Promise.all(Array.from({ length: 6 }, () => withFreshClient(h, clientA, (c) => c.get(uid))));
    for (const k of keys) expect(Buffer.from(k.keyMaterial!).equals(Buffer.from(keys[0]!.keyMaterial!))).toBe(true);
    expect(keys[0]!.length).toBe(256);
    expect(await h.store.db.collection('kmipObjects').countDocuments()).toBe(before);
    const attrs = await withFreshClient(h, clientA, (c) => c.getAttributes(uid));
    expect(stateOf(attrs)).toBe(State.Active);
    // Two ephemeral keys are independent.
    const other = await withFreshClient(h, clientA, async (c) => (await c.get((await c.create({ attributes: [ephemeralAttr] })).uniqueIdentifier)).keyMaterial!);
    expect(Buffer.from(other).equals(Buffer.from(keys[0]!.keyMaterial!))).toBe(false);
  });

  it('Create+Get in one batch returns the key with the ID placeholder', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const [created, got] = await c.batch([ops.create({ attributes: [{ ...ephemeralAttr, value: text(Tag.AttributeValue, 'true') }] }), ops.get()]);
      expect(created.ok && got.ok).toBe(true);
      if (created.ok && got.ok) {
        expect(got.value.uniqueIdentifier).toBe(created.value.uniqueIdentifier);
        expect(got.value.keyMaterial).toHaveLength(32);
      }
    });
  });

  it('encrypts and decrypts (default CBC and GCM) without a store round trip', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create({ attributes: [ephemeralAttr] });
      const key = (await c.get(uid)).keyMaterial!;
      const data = randomBytes(100);
      const cbc = await c.encrypt(uid, data);
      expect(Buffer.from((await c.decrypt(uid, cbc.data, { iv: cbc.iv })).data).equals(data)).toBe(true);
      const gcm = await c.encrypt(uid, data, { parameters: { blockCipherMode: BlockCipherMode.GCM, tagLength: 16 }, aad: Buffer.from('ctx') });
      expect(gcm.iv).toHaveLength(12);
      const d = createDecipheriv('aes-256-gcm', key, gcm.iv!);
      d.setAAD(Buffer.from('ctx'));
      d.setAuthTag(gcm.tag!);
      expect(Buffer.concat([d.update(gcm.data), d.final()]).equals(data)).toBe(true);
    });
  });

  it('forged, garbled and other-version identifiers are Item Not Found, worded like a missing object', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create({ attributes: [ephemeralAttr] });
      const missing = await reason(c.get('00000000-0000-4000-8000-000000000000'));
      expect(missing.reason).toBe(ResultReason.ItemNotFound);
      const flip = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      const forged = [flip(uid, uid.length - 3), flip(uid, uid.length - 20), uid.replace('.1.', '.2.'), `${uid}x`, 'e1.tenant-a.1.short.tag'];
      for (const f of forged) expect(await reason(c.get(f))).toEqual(missing);
    });
  });

  it('refuses what an ephemeral key cannot do, and attributes that would need storing', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create({ attributes: [ephemeralAttr] });
      expect(await c.activate(uid)).toBe(uid);
      expect((await reason(c.destroy(uid))).reason).toBe(ResultReason.PermissionDenied);
      expect((await reason(c.create({ name: 'named', attributes: [ephemeralAttr] }))).reason).toBe(ResultReason.InvalidField);
      expect((await reason(c.create({ length: 128, attributes: [ephemeralAttr] }))).reason).toBe(ResultReason.InvalidField);
    });
  });
});

describe.skipIf(skip)('managed objects', () => {
  it('Register SymmetricKey, SecretData and OpaqueObject; Get returns what was registered; the store holds only sealed bytes', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const key = randomBytes(32);
      const secret = randomBytes(40);
      const opaque = randomBytes(50);
      const k = await c.register({ objectType: ObjectType.SymmetricKey, object: ops.symmetricKeyObject(key), attributes: [int(Tag.CryptographicUsageMask, 12)] });
      const s = await c.register({ objectType: ObjectType.SecretData, object: ops.secretDataObject(secret, SecretDataType.Password) });
      const o = await c.register({
        objectType: ObjectType.OpaqueObject,
        object: struct(Tag.OpaqueObject, [enumeration(Tag.OpaqueDataType, 0x80000001), { tag: Tag.OpaqueDataValue, type: ItemType.ByteString, value: opaque }]),
      });
      expect(Buffer.from((await c.get(k)).keyMaterial!).equals(key)).toBe(true);
      expect(Buffer.from((await c.get(s)).keyMaterial!).equals(secret)).toBe(true);
      const got = await c.get(o);
      const value = got.object.value.find((x: TtlvItem) => x.tag === Tag.OpaqueDataValue);
      expect(value && value.type === ItemType.ByteString && Buffer.from(value.value).equals(opaque)).toBe(true);
      const docs = await env.h.store.db.collection('kmipObjects').find({ _id: { $in: [k, s, o] } as never }).toArray();
      expect(docs).toHaveLength(3);
      for (const d of docs) {
        const raw = JSON.stringify(d) + Buffer.from((d.material as { sealed: { buffer: Uint8Array } }).sealed.buffer).toString('hex');
        for (const x of [key, secret, opaque]) expect(raw.includes(x.toString('hex'))).toBe(false);
        expect((d.material as { kind: string }).kind).toBe('sealed');
      }
    });
  });

  it('Get honours KeyFormatType', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create();
      const resp = await c.send({
        header: { protocolVersion: { major: 1, minor: 4 }, batchCount: 1 },
        batchItems: [
          { operation: Operation.Get, payload: struct(Tag.RequestPayload, [text(Tag.UniqueIdentifier, uid), enumeration(Tag.KeyFormatType, KeyFormatType.TransparentSymmetricKey)]) },
        ],
      });
      const km = new Fields(resp.batchItems[0]!.payload!).struct(Tag.SymmetricKey).struct(Tag.KeyBlock).struct(Tag.KeyValue).struct(Tag.KeyMaterial);
      expect(km.bytes(Tag.Key)).toHaveLength(32);
      expect(km.item.value).toHaveLength(1);
      expect((await reason(c.get(uid, { keyFormatType: KeyFormatType.PKCS_8 }))).reason).toBe(ResultReason.KeyFormatTypeNotSupported);
    });
  });

  it('Get wraps a key under a KEK of the tenant (RFC 3394 / 5649; TTLV or No Encoding); Sensitive keys leave only wrapped, non-extractable ones never', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const kekBytes = randomBytes(32);
      const kek = await c.register({
        objectType: ObjectType.SymmetricKey,
        object: ops.symmetricKeyObject(kekBytes),
        attributes: [
          int(Tag.CryptographicUsageMask, CryptographicUsageMask.WrapKey),
          struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, BlockCipherMode.NISTKeyWrap)]),
        ],
      });
      await c.activate(kek);
      const unwrap = (cipher: string, iv: string, wrapped: Uint8Array): Buffer => {
        const d = createDecipheriv(cipher, kekBytes, Buffer.from(iv, 'hex'));
        return Buffer.concat([d.update(wrapped), d.final()]);
      };
      const key = randomBytes(32);
      const uid = await c.register({ objectType: ObjectType.SymmetricKey, object: ops.symmetricKeyObject(key), attributes: [int(Tag.CryptographicUsageMask, 12)] });

      // No Encoding: the wrapped bytes are the raw key.
      const raw = await c.get(uid, { wrap: { keyId: kek, encoding: EncodingOption.NoEncoding } });
      expect(unwrap('id-aes256-wrap', 'a6a6a6a6a6a6a6a6', raw.keyMaterial!).equals(key)).toBe(true);
      expect(raw.keyWrappingData!.enum(Tag.EncodingOption)).toBe(EncodingOption.NoEncoding);
      expect(raw.keyWrappingData!.struct(Tag.EncryptionKeyInformation).text(Tag.UniqueIdentifier)).toBe(kek);
      // TTLV (the default), mode from the KEK's Cryptographic Parameters: a wrapped Key Value structure.
      const ttlv = await c.get(uid, { wrap: { keyId: kek } });
      const keyValue = new Fields(decodeTtlv(unwrap('id-aes256-wrap', 'a6a6a6a6a6a6a6a6', ttlv.keyMaterial!)) as TtlvStructure);
      expect(keyValue.item.tag).toBe(Tag.KeyValue);
      expect(Buffer.from(keyValue.bytes(Tag.KeyMaterial)).equals(key)).toBe(true);
      // With padding, as asked; and an ephemeral key wraps like any other.
      const padded = await c.get(uid, { wrap: { keyId: kek, mode: BlockCipherMode.AESKeyWrapPadding, encoding: EncodingOption.NoEncoding } });
      expect(unwrap('id-aes256-wrap-pad', 'a65959a6', padded.keyMaterial!).equals(key)).toBe(true);
      const [eph] = await c.batch([ops.create({ attributes: [ephemeralAttr] }), ops.get()]);
      const ephId = (eph as { ok: true; value: { uniqueIdentifier: string } }).value.uniqueIdentifier;
      const ephClear = await c.get(ephId);
      const ephWrapped = await c.get(ephId, { wrap: { keyId: kek, encoding: EncodingOption.NoEncoding } });
      expect(unwrap('id-aes256-wrap', 'a6a6a6a6a6a6a6a6', ephWrapped.keyMaterial!).equals(Buffer.from(ephClear.keyMaterial!))).toBe(true);

      // Sensitive: only wrapped, and it stays Sensitive. Not extractable: never, though still usable in the server.
      const sensitive = await c.register({ objectType: ObjectType.SymmetricKey, object: ops.symmetricKeyObject(randomBytes(32)), attributes: [int(Tag.CryptographicUsageMask, 12), bool(Tag.Sensitive, true)] });
      expect((await reason(c.get(sensitive))).reason).toBe(ResultReason.Sensitive);
      expect((await c.get(sensitive, { wrap: { keyId: kek } })).keyWrappingData).toBeDefined();
      expect((await reason(c.modifyAttribute(sensitive, { name: 'Sensitive', tag: Tag.Sensitive, value: bool(Tag.Sensitive, false) }))).reason).toBe(ResultReason.PermissionDenied);
      const sealed = await c.register({ objectType: ObjectType.SymmetricKey, object: ops.symmetricKeyObject(randomBytes(32)), attributes: [int(Tag.CryptographicUsageMask, 12)] });
      await c.modifyAttribute(sealed, { name: 'Extractable', tag: Tag.Extractable, value: bool(Tag.Extractable, false) });
      expect((await reason(c.get(sealed))).reason).toBe(ResultReason.NotExtractable);
      expect((await reason(c.get(sealed, { wrap: { keyId: kek } }))).reason).toBe(ResultReason.NotExtractable);
      expect((await reason(c.modifyAttribute(sealed, { name: 'Extractable', tag: Tag.Extractable, value: bool(Tag.Extractable, true) }))).reason).toBe(ResultReason.PermissionDenied);
      await c.activate(sealed);
      expect((await c.encrypt(sealed, Buffer.from('still usable inside'))).data.length).toBeGreaterThan(0);

      // KEKs that may not wrap: no Wrap Key in the mask, not yet Active, ephemeral; modes that are not key wrap.
      const encryptOnly = await c.register({ objectType: ObjectType.SymmetricKey, object: ops.symmetricKeyObject(randomBytes(32)), attributes: [int(Tag.CryptographicUsageMask, 12)] });
      await c.activate(encryptOnly);
      expect((await reason(c.get(uid, { wrap: { keyId: encryptOnly, mode: BlockCipherMode.NISTKeyWrap } }))).reason).toBe(ResultReason.PermissionDenied);
      const preActive = await c.register({ objectType: ObjectType.SymmetricKey, object: ops.symmetricKeyObject(randomBytes(32)), attributes: [int(Tag.CryptographicUsageMask, CryptographicUsageMask.WrapKey)] });
      expect((await reason(c.get(uid, { wrap: { keyId: preActive, mode: BlockCipherMode.NISTKeyWrap } }))).reason).toBe(ResultReason.PermissionDenied);
      expect((await reason(c.get(uid, { wrap: { keyId: ephId, mode: BlockCipherMode.NISTKeyWrap } }))).reason).toBe(ResultReason.PermissionDenied);
      expect((await reason(c.get(uid, { wrap: { keyId: kek, mode: BlockCipherMode.GCM } }))).reason).toBe(ResultReason.FeatureNotSupported);
    });
    // Another tenant's KEK is a missing object, and its own key cannot be wrapped under ours.
    const kekOfA = await withFreshClient(env.h, env.clientA, async (c) => {
      const k = await c.register({ objectType: ObjectType.SymmetricKey, object: ops.symmetricKeyObject(randomBytes(32)), attributes: [int(Tag.CryptographicUsageMask, CryptographicUsageMask.WrapKey)] });
      await c.activate(k);
      return k;
    });
    await withFreshClient(env.h, env.clientB, async (c) => {
      const { uniqueIdentifier: own } = await c.create();
      const refused = await reason(c.get(own, { wrap: { keyId: kekOfA, mode: BlockCipherMode.NISTKeyWrap } }));
      expect(refused.reason).toBe(ResultReason.ItemNotFound);
    });
  });

  it('Register keeps a wrapped key as registered: Get As Registered returns it so, any clear use unwraps it with a KEK allowing Unwrap Key', async () => {
    const wrappedBlock = (wrapped: Buffer, kek: string, encoding: number, bits = 256): TtlvStructure =>
      struct(Tag.SymmetricKey, [
        struct(Tag.KeyBlock, [
          enumeration(Tag.KeyFormatType, KeyFormatType.Raw),
          encoding === EncodingOption.NoEncoding ? struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, wrapped)]) : bytes(Tag.KeyValue, wrapped),
          enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES),
          ...(bits > 0 ? [int(Tag.CryptographicLength, bits)] : []),
          struct(Tag.KeyWrappingData, [
            enumeration(Tag.WrappingMethod, WrappingMethod.Encrypt),
            struct(Tag.EncryptionKeyInformation, [text(Tag.UniqueIdentifier, kek), struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, BlockCipherMode.NISTKeyWrap)])]),
            enumeration(Tag.EncodingOption, encoding),
          ]),
        ]),
      ]);
    const kekBytes = randomBytes(32);
    const wrap = (plain: Buffer): Buffer => {
      const w = createCipheriv('id-aes256-wrap', kekBytes, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
      return Buffer.concat([w.update(plain), w.final()]);
    };
    const registerKek = (c: KmipClient, mask: number) =>
      c.register({ objectType: ObjectType.SymmetricKey, object: ops.symmetricKeyObject(kekBytes), attributes: [int(Tag.CryptographicUsageMask, mask)] }).then(async (id) => {
        await c.activate(id);
        return id;
      });
    const kekOfA = await withFreshClient(env.h, env.clientA, async (c) => {
      const kek = await registerKek(c, CryptographicUsageMask.WrapKey | CryptographicUsageMask.UnwrapKey);
      const key = randomBytes(32);
      const uid = await c.register({ objectType: ObjectType.SymmetricKey, object: wrappedBlock(wrap(key), kek, EncodingOption.NoEncoding), attributes: [int(Tag.CryptographicUsageMask, 12)] });
      const registered = await c.get(uid, { keyWrapType: KeyWrapType.AsRegistered });
      expect(Buffer.from(registered.keyMaterial!).equals(wrap(key))).toBe(true);
      expect(registered.keyWrappingData!.struct(Tag.EncryptionKeyInformation).text(Tag.UniqueIdentifier)).toBe(kek);
      expect(Buffer.from((await c.get(uid)).keyMaterial!).equals(key)).toBe(true);
      await c.activate(uid);
      const sealed = await c.encrypt(uid, Buffer.from('under an unwrapped key'), { parameters: { blockCipherMode: BlockCipherMode.GCM, tagLength: 16 } });
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv!);
      decipher.setAuthTag(Buffer.from(sealed.tag!));
      expect(Buffer.concat([decipher.update(sealed.data), decipher.final()]).toString()).toBe('under an unwrapped key');

      // TTLV encoding: the wrapped bytes are a Key Value structure.
      const ttlvKey = randomBytes(16);
      const ttlvUid = await c.register({
        objectType: ObjectType.SymmetricKey,
        object: wrappedBlock(wrap(encodeTtlv(struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, ttlvKey)]))), kek, EncodingOption.TTLVEncoding, 128),
      });
      expect(Buffer.from((await c.get(ttlvUid)).keyMaterial!).equals(ttlvKey)).toBe(true);

      // Bytes that do not unwrap are stored as given, and refused when used.
      const garbage = await c.register({ objectType: ObjectType.SymmetricKey, object: wrappedBlock(randomBytes(40), kek, EncodingOption.NoEncoding) });
      expect((await reason(c.get(garbage))).reason).toBe(ResultReason.CryptographicFailure);

      // A KEK that may only wrap: as registered yes, in the clear no.
      const wrapOnly = await registerKek(c, CryptographicUsageMask.WrapKey);
      const held = await c.register({ objectType: ObjectType.SymmetricKey, object: wrappedBlock(wrap(key), wrapOnly, EncodingOption.NoEncoding) });
      expect(Buffer.from((await c.get(held, { keyWrapType: KeyWrapType.AsRegistered })).keyMaterial!).equals(wrap(key))).toBe(true);
      expect((await reason(c.get(held))).reason).toBe(ResultReason.PermissionDenied);
      // A KEK that is itself kept wrapped is refused (no chains that could loop); a length must be given.
      expect((await reason(c.register({ objectType: ObjectType.SymmetricKey, object: wrappedBlock(wrap(key), uid, EncodingOption.NoEncoding) })))).toMatchObject({
        reason: ResultReason.InvalidField,
      });
      expect((await reason(c.register({ objectType: ObjectType.SymmetricKey, object: wrappedBlock(wrap(key), kek, EncodingOption.NoEncoding, 0) }))).message).toMatch(/Cryptographic Length/);
      return kek;
    });
    await withFreshClient(env.h, env.clientB, async (c) => {
      const refused = await reason(c.register({ objectType: ObjectType.SymmetricKey, object: wrappedBlock(wrap(randomBytes(32)), kekOfA, EncodingOption.NoEncoding) }));
      expect(refused.reason).toBe(ResultReason.ItemNotFound);
    });
  });

  it('attributes: add, modify, delete custom attributes and names; lifecycle rules are enforced', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create({ name: 'attr-test' });
      await c.addAttribute(uid, { name: 'x-owner', tag: undefined, value: text(Tag.AttributeValue, 'team-a') });
      await c.modifyAttribute(uid, { name: 'x-owner', tag: undefined, value: text(Tag.AttributeValue, 'team-b') });
      await c.addAttribute(uid, ops.nameAttribute('attr-test-2'));
      const attrs = await c.getAttributes(uid, ['x-owner', 'Name']);
      expect(attrs.filter((a) => a.name === 'Name')).toHaveLength(2);
      expect(attrs.find((a) => a.name === 'x-owner')?.value).toMatchObject({ type: ItemType.TextString, value: 'team-b' });
      await c.deleteAttribute(uid, 'x-owner');
      expect((await c.getAttributes(uid, ['x-owner'])).length).toBe(0);
      expect((await c.getAttributeList(uid)).slice(0, 4)).toEqual(['Unique Identifier', 'Object Type', 'Cryptographic Algorithm', 'Cryptographic Length']);
      expect((await reason(c.modifyAttribute(uid, int(Tag.CryptographicLength, 128)))).reason).toBe(ResultReason.PermissionDenied);
      await c.activate(uid);
      expect((await reason(c.modifyAttribute(uid, dateTimeOf(Tag.ActivationDate, new Date())))).reason).toBe(ResultReason.PermissionDenied);
      expect((await reason(c.activate(uid))).reason).toBe(ResultReason.PermissionDenied);
    });
  });

  it('objects stored before attributes were packed are read as they are, and packed by their next change', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create({ name: 'legacy-layout' });
      const objects = env.h.store.db.collection('kmipObjects');
      const packed = (await objects.findOne({ _id: uid as never }))!.attributes as { buffer: Uint8Array };
      expect(packed.buffer).toBeInstanceOf(Uint8Array);
      const before = await c.getAttributes(uid);
      // Rewrite the document the way earlier versions stored it: an array of {n, v}.
      const legacy = unpackAttributes(packed.buffer).map((a) => ({ n: a.n, v: Buffer.from(a.v) }));
      await objects.updateOne({ _id: uid as never }, { $set: { attributes: legacy } });
      expect(await c.getAttributes(uid)).toEqual(before);
      await c.addAttribute(uid, { name: 'x-migrated', tag: undefined, value: text(Tag.AttributeValue, 'yes') });
      const after = (await objects.findOne({ _id: uid as never }))!.attributes;
      expect(Array.isArray(after)).toBe(false);
      expect((await c.getAttributes(uid, ['x-migrated', 'Name'])).map((a) => a.name).sort()).toEqual(['Name', 'x-migrated']);
    });
  });

  it('Revoke and Destroy follow the lifecycle; Destroy is refused while Active; destroyed keys cannot be fetched', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create();
      await c.activate(uid);
      expect((await reason(c.destroy(uid))).reason).toBe(ResultReason.PermissionDenied);
      await c.revoke(uid, RevocationReasonCode.KeyCompromise, { compromiseOccurrenceDate: new Date(6000) });
      expect(stateOf(await c.getAttributes(uid, ['State']))).toBe(State.Compromised);
      await c.destroy(uid);
      expect(stateOf(await c.getAttributes(uid, ['State']))).toBe(State.DestroyedCompromised);
      expect((await reason(c.get(uid))).reason).toBe(ResultReason.PermissionDenied);
      const doc = await env.h.store.db.collection('kmipObjects').findOne({ _id: uid as never });
      expect(doc?.material).toMatchObject({ kind: 'destroyed' });
    });
  });

  it('Locate finds by name, object type, state, group and custom attribute — within the tenant only', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const group = `group-${randomBytes(4).toString('hex')}`;
      const one = (await c.create({ name: `${group}-1`, attributes: [text(Tag.ObjectGroup, group)] })).uniqueIdentifier;
      const two = (await c.create({ name: `${group}-2`, attributes: [text(Tag.ObjectGroup, group)] })).uniqueIdentifier;
      await c.activate(two);
      expect(await c.locate({ attributes: [ops.nameAttribute(`${group}-1`)] })).toEqual([one]);
      expect(await c.locate({ attributes: [text(Tag.ObjectGroup, group)] })).toEqual([one, two]);
      expect(await c.locate({ attributes: [text(Tag.ObjectGroup, group), enumeration(Tag.State, State.Active)] })).toEqual([two]);
      expect(await c.locate({ attributes: [text(Tag.ObjectGroup, group)], maximumItems: 1 })).toEqual([one]);
      expect(await c.locate({ attributes: [text(Tag.ObjectGroup, group)], offsetItems: 1 })).toEqual([two]);
    });
  });

  it('ReKey makes a linked replacement with new material, inheriting names', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create({ name: 'rekey-me', attributes: [dateTimeOf(Tag.ActivationDate, new Date(Date.now() - 60_000))] });
      const replacement = await c.reKey(uid);
      expect(replacement).not.toBe(uid);
      const [a, b] = [await c.get(uid), await c.get(replacement)];
      expect(Buffer.from(a.keyMaterial!).equals(Buffer.from(b.keyMaterial!))).toBe(false);
      const attrs = await c.getAttributes(replacement, ['Name', 'State', 'Link']);
      expect(attrs.filter((x) => x.name === 'Name')).toHaveLength(1);
      expect(stateOf(attrs)).toBe(State.Active);
      expect(attrs.some((x) => x.name === 'Link')).toBe(true);
    });
  });

  it('usage limits are counted atomically in the store', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const key = randomBytes(16);
      const uid = await c.register({
        objectType: ObjectType.SymmetricKey,
        object: ops.symmetricKeyObject(key),
        attributes: [
          int(Tag.CryptographicUsageMask, CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt),
          dateTimeOf(Tag.ActivationDate, new Date(Date.now() - 60_000)),
          struct(Tag.UsageLimits, [{ tag: Tag.UsageLimitsTotal, type: ItemType.LongInteger, value: 5n }, enumeration(Tag.UsageLimitsUnit, 2)]),
        ],
      });
      const params = { parameters: { blockCipherMode: BlockCipherMode.ECB, paddingMethod: PaddingMethod.None } };
      // Concurrent uses across both workers may under-use the limit (fail closed), never exceed it.
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => withFreshClient(env.h, env.clientA, (x) => x.encrypt(uid, Buffer.alloc(16), params))));
      const concurrent = results.filter((r) => r.status === 'fulfilled').length;
      expect(concurrent).toBeGreaterThanOrEqual(1);
      expect(concurrent).toBeLessThanOrEqual(5);
      let sequential = 0;
      for (let i = 0; i < 8; i++) {
        try {
          await c.encrypt(uid, Buffer.alloc(16), params);
          sequential++;
        } catch (e) {
          expect((e as KmipResultError).resultReason).toBe(ResultReason.PermissionDenied);
          break;
        }
      }
      expect(concurrent + sequential).toBe(5);
      const e = createCipheriv('aes-128-ecb', key, null);
      e.setAutoPadding(false);
      const ok = results.find((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof c.encrypt>>> => r.status === 'fulfilled')!;
      expect(Buffer.from(ok.value.data).equals(Buffer.concat([e.update(Buffer.alloc(16)), e.final()]))).toBe(true);
    });
  });

  it('speaks KMIP 2.0: Create, GetAttributes with Attribute References, Get', async () => {
    const c = clientFor(env.h, env.clientA, V20);
    try {
      const { uniqueIdentifier: uid } = await c.create({ name: 'v2-key' });
      const attrs = await c.getAttributes(uid, ['State', 'Cryptographic Length']);
      expect(stateOf(attrs)).toBe(State.PreActive);
      expect(attrs.find((a) => a.tag === Tag.CryptographicLength)?.value).toMatchObject({ value: 256 });
      expect((await c.get(uid)).keyMaterial).toHaveLength(32);
      expect(await c.getAttributeList(uid)).toContain('State');
    } finally {
      await c.close();
    }
  });

  it('DiscoverVersions and Query describe the server', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      expect(await c.discoverVersions()).toContainEqual({ major: 1, minor: 4 });
      expect(await c.discoverVersions([{ major: 9, minor: 9 }, V12])).toEqual([V12]);
      const q = await c.query();
      expect(q.operations.length).toBeGreaterThan(10);
      expect(q.objectTypes).toEqual([ObjectType.SymmetricKey, ObjectType.SecretData, ObjectType.OpaqueObject]);
    });
  });

  it('MAC and MAC Verify (HMAC under a registered key), Hash and RNG Retrieve', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const key = randomBytes(32);
      const uid = await c.register({
        objectType: ObjectType.SymmetricKey,
        object: ops.symmetricKeyObject(key, CryptographicAlgorithm.HMAC_SHA256),
        attributes: [int(Tag.CryptographicUsageMask, CryptographicUsageMask.MACGenerate | CryptographicUsageMask.MACVerify)],
      });
      await c.activate(uid);
      const data = Buffer.from('libmongocrypt and mongod never MAC, other KMIP clients do');
      const tag = await c.run(ops.mac(uid, data));
      expect(Buffer.from(tag).equals(createHmac('sha256', key).update(data).digest())).toBe(true);
      expect(await c.run(ops.macVerify(uid, data, tag))).toBe(true);
      const forged = Buffer.from(tag);
      forged[0]! ^= 1;
      expect(await c.run(ops.macVerify(uid, data, forged))).toBe(false);
      // A key whose usage mask does not allow MAC Generate is refused.
      const { uniqueIdentifier: aes } = await c.create({ name: 'not-for-mac' });
      await c.activate(aes);
      const refused = await c.run(ops.mac(aes, data, CryptographicAlgorithm.HMAC_SHA256)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(KmipResultError);
      expect((refused as KmipResultError).resultReason).toBe(ResultReason.PermissionDenied);

      expect(Buffer.from(await c.run(ops.hash(data))).equals(createHash('sha256').update(data).digest())).toBe(true);
      const random = [await c.run(ops.rngRetrieve(48)), await c.run(ops.rngRetrieve(48))];
      expect(random.map((r) => r.length)).toEqual([48, 48]);
      expect(Buffer.from(random[0]!).equals(Buffer.from(random[1]!))).toBe(false);
    });
  });

  it('Derive Key: HASH, HMAC, HKDF and PBKDF2 give the keys the standards define; weak or keyless derivations are refused', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const base = randomBytes(32);
      const baseUid = await c.register({
        objectType: ObjectType.SymmetricKey,
        object: ops.symmetricKeyObject(base),
        attributes: [int(Tag.CryptographicUsageMask, CryptographicUsageMask.Encrypt | CryptographicUsageMask.DeriveKey)],
      });
      await c.activate(baseUid);
      const info = Buffer.from('volume-7');
      const salt = randomBytes(16);
      const cases: Array<[ops.DeriveKeyOptions, Buffer]> = [
        [{ method: DerivationMethod.HASH, length: 128 }, createHash('sha256').update(base).digest().subarray(0, 16)],
        [{ method: DerivationMethod.HMAC, derivationData: info }, createHmac('sha256', base).update(info).digest()],
        [{ method: DerivationMethod.HKDF, derivationData: info, salt }, Buffer.from(hkdfSync('sha256', base, salt, info, 32))],
        [{ method: DerivationMethod.PBKDF2, salt, iterationCount: 10_000 }, pbkdf2Sync(base, salt, 10_000, 32, 'sha256')],
      ];
      for (const [options, expected] of cases) {
        const uid = await c.run(ops.deriveKey(baseUid, options));
        const got = await c.get(uid);
        expect(Buffer.from(got.keyMaterial!).equals(expected), `method ${options.method}`).toBe(true);
      }
      const reason = (e: unknown): number | undefined => (e instanceof KmipResultError ? e.resultReason : undefined);
      // HASH over Derivation Data alone would make a key anyone can compute.
      expect(reason(await c.run(ops.deriveKey(baseUid, { method: DerivationMethod.HASH, derivationData: info })).catch((e: unknown) => e))).toBe(ResultReason.InvalidField);
      expect(reason(await c.run(ops.deriveKey(baseUid, { method: DerivationMethod.PBKDF2, salt, iterationCount: 1_000 })).catch((e: unknown) => e))).toBe(ResultReason.InvalidField);
      // The base key's usage mask must allow Derive Key.
      const { uniqueIdentifier: plain } = await c.create({ name: 'no-derive' });
      await c.activate(plain);
      expect(reason(await c.run(ops.deriveKey(plain, { method: DerivationMethod.HMAC, derivationData: info })).catch((e: unknown) => e))).toBe(ResultReason.PermissionDenied);
    });
  });

  it('accepts Operation Policy Name and never requires it', async () => {
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create({ attributes: [text(Tag.OperationPolicyName, 'default')] });
      expect((await c.getAttributes(uid, ['Operation Policy Name']))[0]?.value).toMatchObject({ value: 'default' });
    });
  });
});
