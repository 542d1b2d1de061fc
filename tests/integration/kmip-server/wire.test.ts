import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipClient } from '../../../clients/kmip/client.js';
import * as clientOps from '../../../clients/kmip/operations.js';
import { decodeTtlv } from '../../../kmip-server/codec/decoder.js';
import { encodeTtlv } from '../../../kmip-server/codec/encoder.js';
import {
  BlockCipherMode,
  CryptographicAlgorithm,
  CryptographicUsageMask,
  DerivationMethod,
  HashingAlgorithm,
  ObjectType,
  Operation,
  PaddingMethod,
  QueryFunction,
  ResultReason,
  ResultStatus,
  RevocationReasonCode,
  SecretDataType,
  WrappingMethod,
} from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import type { TtlvItem } from '../../../kmip-server/codec/types.js';
import { ItemType, bool, bytes, enumeration, int, struct, text } from '../../../kmip-server/codec/types.js';
import type { ProtocolVersion } from '../../../kmip-server/codec/version.js';
import { versionCode } from '../../../kmip-server/codec/version.js';
import { attribute1x } from '../../../kmip-server/protocol/attributes.js';
import { parseResponseMessage, requestMessageToTtlv } from '../../../kmip-server/protocol/messages.js';
import type { KmipTestEnv } from './support.js';
import { clientFor, collect, metricValue, metricsText, rawSocket, startEnv, unavailable } from './support.js';

const skip = unavailable();
let env: KmipTestEnv;
let client: KmipClient;
const ids: Record<string, string> = {};
let cbcCiphertext = Buffer.alloc(0);
const GOLDEN = path.join(import.meta.dirname, 'testdata', 'golden-responses.json');
const V10: ProtocolVersion = { major: 1, minor: 0 };
const V12: ProtocolVersion = { major: 1, minor: 2 };
const V14: ProtocolVersion = { major: 1, minor: 4 };
const V20: ProtocolVersion = { major: 2, minor: 0 };

beforeAll(async () => {
  if (skip) return;
  env = await startEnv();
  client = clientFor(env.h, env.clientA);
  ids.key = (await client.create({ name: 'golden-key' })).uniqueIdentifier;
  ids.active = (await client.create({ name: 'golden-active' })).uniqueIdentifier;
  await client.activate(ids.active);
  // What the golden Decrypt reads: the server's own CBC encryption of a fixed block (decrypting
  // arbitrary bytes under a fresh random key has valid padding about once in 250 runs).
  cbcCiphertext = Buffer.from((await client.encrypt(ids.active, Buffer.alloc(16, 4), { parameters: { blockCipherMode: BlockCipherMode.CBC, paddingMethod: PaddingMethod.PKCS5 }, iv: Buffer.alloc(16, 5) })).data);
  ids.secret = await client.register({ objectType: ObjectType.SecretData, object: clientOps.secretDataObject(Buffer.alloc(96, 1), SecretDataType.Seed) });
  ids.ephemeral = (await client.create({ attributes: [{ name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) }] })).uniqueIdentifier;
  ids.doomed = (await client.create({ name: 'golden-doomed' })).uniqueIdentifier;
  ids.hmac = await client.register({
    objectType: ObjectType.SymmetricKey,
    object: clientOps.symmetricKeyObject(Buffer.alloc(32, 9), CryptographicAlgorithm.HMAC_SHA256),
    attributes: [int(Tag.CryptographicUsageMask, CryptographicUsageMask.MACGenerate | CryptographicUsageMask.MACVerify)],
  });
  await client.activate(ids.hmac);
  ids.deriveBase = await client.register({
    objectType: ObjectType.SymmetricKey,
    object: clientOps.symmetricKeyObject(Buffer.alloc(32, 10)),
    attributes: [int(Tag.CryptographicUsageMask, CryptographicUsageMask.DeriveKey)],
  });
  await client.activate(ids.deriveBase);
  ids.kek = await client.register({
    objectType: ObjectType.SymmetricKey,
    object: clientOps.symmetricKeyObject(Buffer.alloc(32, 11)),
    attributes: [int(Tag.CryptographicUsageMask, CryptographicUsageMask.WrapKey)],
  });
  await client.activate(ids.kek);
  // AES key wrap is deterministic: the wrapped bytes of this fixed key under that fixed KEK are golden too.
  ids.sensitive = await client.register({
    objectType: ObjectType.SymmetricKey,
    object: clientOps.symmetricKeyObject(Buffer.alloc(32, 12)),
    attributes: [int(Tag.CryptographicUsageMask, 12), bool(Tag.Sensitive, true)],
  });
});
afterAll(async () => {
  await client?.close();
  await env?.h.stop();
});

function request(operation: number, payload: TtlvItem[], version: ProtocolVersion = V14, extra: Record<string, unknown> = {}): Buffer {
  return encodeTtlv(
    requestMessageToTtlv({ header: { protocolVersion: version, batchCount: 1, ...extra }, batchItems: [{ operation, payload: struct(Tag.RequestPayload, payload) }] }),
  );
}

const uid = (k: string): TtlvItem => text(Tag.UniqueIdentifier, ids[k]!);

/** A request the TypeScript client builds, for protocol 1.4. */
function wireOf(op: clientOps.KmipOperation<unknown>): Buffer {
  return request(op.operation, op.build(versionCode(V14)));
}

/** Values the server chooses (time, identifiers, key bytes, IVs, ciphertexts) are masked; everything else is golden. */
const MASKED_BYTES = new Set<number>([Tag.KeyMaterial, Tag.Key, Tag.IVCounterNonce, Tag.Data, Tag.DigestValue, Tag.AuthenticatedEncryptionTag, Tag.CorrelationValue]);
const MASKED_TEXT = new Set<number>([Tag.UniqueIdentifier, Tag.LinkedObjectIdentifier, Tag.ServerCorrelationValue]);

function mask(item: TtlvItem): TtlvItem {
  switch (item.type) {
    case ItemType.Structure:
      return { ...item, value: item.value.map(mask) };
    case ItemType.DateTime:
      return { ...item, value: 0n };
    case ItemType.ByteString:
      return MASKED_BYTES.has(item.tag) ? { ...item, value: Buffer.alloc(item.value.length, 0xee) } : item;
    case ItemType.TextString:
      return MASKED_TEXT.has(item.tag) ? { ...item, value: 'u'.repeat(Buffer.byteLength(item.value)) } : item;
    default:
      return item;
  }
}

/** The raw response, checked to be canonically encoded, with the server-chosen values masked. */
function masked(raw: Buffer): string {
  const tree = decodeTtlv(raw);
  expect(encodeTtlv(tree).equals(raw)).toBe(true);
  return encodeTtlv(mask(tree)).toString('hex');
}

/** One request per operation, each against objects made in beforeAll. */
function goldenCases(): Array<[string, Buffer]> {
  const cbc = struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, BlockCipherMode.CBC), enumeration(Tag.PaddingMethod, PaddingMethod.PKCS5)]);
  const template = (items: TtlvItem[]): TtlvItem => struct(Tag.TemplateAttribute, items.map((v) => attribute1x({ name: nameOf(v.tag), tag: v.tag, value: v })));
  return [
    ['DiscoverVersions', request(Operation.DiscoverVersions, [])],
    ['Query operations+objects', request(Operation.Query, [enumeration(Tag.QueryFunction, QueryFunction.QueryOperations), enumeration(Tag.QueryFunction, QueryFunction.QueryObjects)])],
    [
      'Create AES-256 (1.2)',
      request(
        Operation.Create,
        [enumeration(Tag.ObjectType, ObjectType.SymmetricKey), template([enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES), int(Tag.CryptographicLength, 256), int(Tag.CryptographicUsageMask, 12)])],
        V12,
      ),
    ],
    ['Register SecretData (1.0)', request(Operation.Register, [enumeration(Tag.ObjectType, ObjectType.SecretData), struct(Tag.TemplateAttribute, []), clientOps.secretDataObject(Buffer.alloc(96, 2))], V10)],
    ['Get symmetric key while Pre-Active (1.2)', request(Operation.Get, [uid('key')], V12)],
    ['Get ephemeral key', request(Operation.Get, [uid('ephemeral')])],
    ['Get SecretData (1.0)', request(Operation.Get, [uid('secret')], V10)],
    ['GetAttributes State', request(Operation.GetAttributes, [uid('active'), text(Tag.AttributeName, 'State')])],
    ['GetAttributeList (1.4)', request(Operation.GetAttributeList, [uid('active')])],
    ['GetAttributeList (1.0)', request(Operation.GetAttributeList, [uid('active')], V10)],
    ['AddAttribute custom', request(Operation.AddAttribute, [uid('key'), attribute1x({ name: 'x-golden', tag: undefined, value: text(Tag.AttributeValue, 'one') })])],
    ['ModifyAttribute custom', request(Operation.ModifyAttribute, [uid('key'), attribute1x({ name: 'x-golden', tag: undefined, value: text(Tag.AttributeValue, 'two') })])],
    ['DeleteAttribute custom', request(Operation.DeleteAttribute, [uid('key'), text(Tag.AttributeName, 'x-golden')])],
    ['Locate by name', request(Operation.Locate, [attribute1x({ name: 'Name', tag: Tag.Name, value: clientOps.nameAttribute('golden-active') })])],
    ['Encrypt default parameters', request(Operation.Encrypt, [uid('active'), bytes(Tag.Data, Buffer.alloc(20, 3))])],
    ['Decrypt CBC', request(Operation.Decrypt, [uid('active'), cbc, bytes(Tag.Data, cbcCiphertext), bytes(Tag.IVCounterNonce, Buffer.alloc(16, 5))])],
    ['ReKey', request(Operation.ReKey, [uid('active')])],
    ['Revoke', request(Operation.Revoke, [uid('doomed'), struct(Tag.RevocationReason, [enumeration(Tag.RevocationReasonCode, RevocationReasonCode.CessationOfOperation)])])],
    ['Destroy', request(Operation.Destroy, [uid('doomed')])],
    ['Activate', request(Operation.Activate, [uid('key')])],
    ['Destroy while Active (failure)', request(Operation.Destroy, [uid('active')])],
    ['Get missing (failure, 1.2)', request(Operation.Get, [text(Tag.UniqueIdentifier, '00000000-0000-4000-8000-000000000000')], V12)],
    ['Get missing (failure, 2.0)', request(Operation.Get, [text(Tag.UniqueIdentifier, '00000000-0000-4000-8000-000000000000')], V20)],
    ['DeriveKey HMAC-SHA256', wireOf(clientOps.deriveKey(ids.deriveBase, { method: DerivationMethod.HMAC, derivationData: Buffer.from('golden') }))],
    ['MAC HMAC-SHA256', request(Operation.MAC, [uid('hmac'), bytes(Tag.Data, Buffer.alloc(16, 8))])],
    ['MACVerify wrong MAC (Invalid)', request(Operation.MACVerify, [uid('hmac'), bytes(Tag.Data, Buffer.alloc(16, 8)), bytes(Tag.MACData, Buffer.alloc(32, 0))])],
    ['MAC with an Encrypt-only key (failure)', request(Operation.MAC, [uid('active'), bytes(Tag.Data, Buffer.alloc(16, 8))])],
    ['Get a Sensitive key wrapped under a KEK (AES key wrap, TTLV encoding)', request(Operation.Get, [uid('sensitive'), keyWrapping(BlockCipherMode.NISTKeyWrap)])],
    ['Get a Sensitive key in the clear (failure)', request(Operation.Get, [uid('sensitive')])],
    ['RNGRetrieve 32 bytes', request(Operation.RNGRetrieve, [int(Tag.DataLength, 32)])],
    ['RNGRetrieve too many bytes (failure)', request(Operation.RNGRetrieve, [int(Tag.DataLength, 1_000_000)])],
    ['RNGSeed (refused)', request(Operation.RNGSeed, [bytes(Tag.Data, Buffer.alloc(32, 6))])],
    ['Hash SHA-256', request(Operation.Hash, [struct(Tag.CryptographicParameters, [enumeration(Tag.HashingAlgorithm, HashingAlgorithm.SHA_256)]), bytes(Tag.Data, Buffer.alloc(16, 7))])],
    ['Hash MD5 (failure)', request(Operation.Hash, [struct(Tag.CryptographicParameters, [enumeration(Tag.HashingAlgorithm, HashingAlgorithm.MD5)]), bytes(Tag.Data, Buffer.alloc(16, 7))])],
    ['unsupported operation (failure)', request(Operation.Certify, [])],
    ['unsupported version 3.0 (failure)', request(Operation.Get, [uid('key')], { major: 3, minor: 0 })],
  ];
}

function keyWrapping(mode: number): TtlvItem {
  return struct(Tag.KeyWrappingSpecification, [
    enumeration(Tag.WrappingMethod, WrappingMethod.Encrypt),
    struct(Tag.EncryptionKeyInformation, [uid('kek'), struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, mode)])]),
  ]);
}

function nameOf(tag: number): string {
  return { [Tag.CryptographicAlgorithm]: 'Cryptographic Algorithm', [Tag.CryptographicLength]: 'Cryptographic Length', [Tag.CryptographicUsageMask]: 'Cryptographic Usage Mask' }[tag]!;
}

describe.skipIf(skip)('golden response bytes', () => {
  it('every operation answers with exactly the golden bytes (server-chosen values masked)', async () => {
    const s = await rawSocket(env.h, env.clientA);
    const actual: Record<string, string> = {};
    try {
      for (const [name, wire] of goldenCases()) {
        const reply = collect(s, 1);
        s.write(wire);
        const { messages } = await reply;
        expect(messages, name).toHaveLength(1);
        actual[name] = masked(messages[0]!);
      }
    } finally {
      s.destroy();
    }
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;
    for (const [name, hex] of Object.entries(actual)) expect(hex, name).toBe(golden[name]);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(golden).sort());
  });

  it('Get answers mongod in its strict order: ObjectType, UID, SymmetricKey{KeyBlock{KeyFormatType, KeyValue{KeyMaterial}, Algorithm, Length}}', () => {
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;
    const resp = parseResponseMessage(decodeTtlv(Buffer.from(golden['Get symmetric key while Pre-Active (1.2)']!, 'hex')));
    expect(resp.header.protocolVersion).toEqual(V12);
    const p = resp.batchItems[0]!.payload!.value;
    expect(p.map((x) => x.tag)).toEqual([Tag.ObjectType, Tag.UniqueIdentifier, Tag.SymmetricKey]);
    const kb = (p[2] as { value: TtlvItem[] }).value[0] as { value: TtlvItem[] };
    expect(kb.value.map((x) => x.tag)).toEqual([Tag.KeyFormatType, Tag.KeyValue, Tag.CryptographicAlgorithm, Tag.CryptographicLength]);
    const failure = parseResponseMessage(decodeTtlv(Buffer.from(golden['Get missing (failure, 1.2)']!, 'hex'))).batchItems[0]!;
    expect([failure.resultStatus, failure.resultReason, failure.resultMessage]).toEqual([ResultStatus.OperationFailed, ResultReason.ItemNotFound, 'object not found']);
  });
});

describe.skipIf(skip)('framing on the live server', () => {
  it('answers a request split at every byte offset, and many requests in one write, in order', async () => {
    const wire = request(Operation.Get, [uid('ephemeral')]);
    const s = await rawSocket(env.h, env.clientA);
    try {
      const first = collect(s, 1);
      s.write(wire);
      const expected = masked((await first).messages[0]!);
      for (let cut = 1; cut < wire.length; cut++) {
        const reply = collect(s, 1);
        s.write(wire.subarray(0, cut));
        await new Promise((r) => setTimeout(r, 1));
        s.write(wire.subarray(cut));
        const { messages } = await reply;
        expect(messages, `split at ${cut}`).toHaveLength(1);
        expect(masked(messages[0]!), `split at ${cut}`).toBe(expected);
      }
      const many = collect(s, 20);
      const names = Array.from({ length: 20 }, (_, i) => request(Operation.Get, [i % 2 ? uid('ephemeral') : uid('key')]));
      s.write(Buffer.concat(names));
      const { messages } = await many;
      expect(messages).toHaveLength(20);
      messages.forEach((m, i) => {
        const got = parseResponseMessage(decodeTtlv(m)).batchItems[0]!.payload!.value.find((x) => x.tag === Tag.UniqueIdentifier);
        expect(got && got.type === ItemType.TextString ? got.value : undefined).toBe(i % 2 ? ids.ephemeral : ids.key);
      });
    } finally {
      s.destroy();
    }
  });

  it('refuses a frame over the size limit from its header alone, answering and closing', async () => {
    const s = await rawSocket(env.h, env.clientA);
    const header = Buffer.from([0x42, 0x00, 0x78, 0x01, 0x7f, 0xff, 0xff, 0xf8]); // a 2 GiB RequestMessage
    const started = Date.now();
    const reply = collect(s, 1);
    s.write(header);
    const { messages } = await reply;
    const { closed } = await collect(s, 1, 2_000);
    expect(Date.now() - started).toBeLessThan(2_500);
    const item = parseResponseMessage(decodeTtlv(messages[0]!)).batchItems[0]!;
    expect(item.resultReason).toBe(ResultReason.InvalidMessage);
    expect(item.resultMessage).toMatch(/maximum message size/);
    expect(closed).toBe(true);
  });

  it('answers malformed TTLV with Invalid Message and closes; a well-formed non-request gets Invalid Message and the connection stays usable', async () => {
    const s = await rawSocket(env.h, env.clientA);
    const notARequest = encodeTtlv(struct(Tag.ResponseMessage, [int(Tag.BatchCount, 1)]));
    let reply = collect(s, 1);
    s.write(notARequest);
    expect(parseResponseMessage(decodeTtlv((await reply).messages[0]!)).batchItems[0]!.resultReason).toBe(ResultReason.InvalidMessage);
    reply = collect(s, 1);
    s.write(request(Operation.DiscoverVersions, []));
    expect(parseResponseMessage(decodeTtlv((await reply).messages[0]!)).batchItems[0]!.resultStatus).toBe(ResultStatus.Success);
    const bad = Buffer.from(request(Operation.DiscoverVersions, []));
    bad[11] = 0x0f; // the header's type byte: not an item type
    reply = collect(s, 2, 2_000);
    s.write(bad);
    const r = await reply;
    expect(parseResponseMessage(decodeTtlv(r.messages[0]!)).batchItems[0]!.resultReason).toBe(ResultReason.InvalidMessage);
    expect(r.closed).toBe(true);
  });
});

describe.skipIf(skip)('robustness under arbitrary input', () => {
  const valid = (): Buffer => request(Operation.Get, [uid('ephemeral')]);

  async function sendAndRecover(bytes: Uint8Array): Promise<void> {
    const s = await rawSocket(env.h, env.clientA);
    try {
      const reply = collect(s, 1, 150);
      s.write(bytes);
      const { messages } = await reply;
      // Whatever came back must itself be a well-formed KMIP response.
      for (const m of messages) parseResponseMessage(decodeTtlv(m));
    } finally {
      s.destroy();
    }
    const c = clientFor(env.h, env.clientA);
    try {
      expect((await c.get(ids.ephemeral!)).keyMaterial).toHaveLength(32);
    } finally {
      await c.close();
    }
  }

  it('arbitrary bytes never crash or hang the server: the next valid request on a new connection succeeds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 400 }), async (b) => sendAndRecover(b)),
      { numRuns: 60 },
    );
  });

  it('mutated valid requests (flipped bytes, truncation, corrupted lengths) never crash the server', async () => {
    const base = valid();
    const mutation = fc.oneof(
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }).map((flips) => {
        const m = Buffer.from(base);
        for (const [at, v] of flips) m[at] = v;
        return m;
      }),
      fc.nat(base.length - 1).map((n) => base.subarray(0, n + 1)),
      fc.tuple(fc.nat(Math.floor(base.length / 8) - 1), fc.integer({ min: 0, max: 0xffffffff })).map(([item, len]) => {
        const m = Buffer.from(base);
        m.writeUInt32BE(len, item * 8 + 4);
        return m;
      }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (b) => sendAndRecover(b)),
      { numRuns: 100 },
    );
    // No worker died along the way.
    expect(metricValue(await metricsText(env.h), 'openkcm_kmip_worker_restarts_total')).toBe(0);
  });
});
