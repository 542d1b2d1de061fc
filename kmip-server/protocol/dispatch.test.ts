import { describe, expect, it } from 'vitest';
import { decodeTtlv } from '../codec/decoder.js';
import { BatchErrorContinuationOption, CryptographicAlgorithm, ObjectType, Operation, ResultReason, ResultStatus, State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem, TtlvStructure } from '../codec/types.js';
import { ItemType, bytes, enumeration, int, struct, text } from '../codec/types.js';
import { V1_0, V1_4, V2_0 } from '../codec/version.js';
import { attribute1x, readAttributes, writeAttributes } from './attributes.js';
import type { Handler } from './dispatch.js';
import { dispatch, encodeResponse, responseTooLarge } from './dispatch.js';
import { KmipError, itemNotFound } from './errors.js';
import type { RequestMessage } from './messages.js';
import { Fields } from './payload.js';
import { filterForVersion } from './version-filter.js';

const v14 = { major: 1, minor: 4 };
const ids: string[] = [];
const handlers = new Map<number, Handler<{ tenant: string }>>([
  [
    Operation.Create,
    (p) => {
      p.enum(Tag.ObjectType);
      const id = `key-${ids.length}`;
      ids.push(id);
      return [enumeration(Tag.ObjectType, ObjectType.SymmetricKey), text(Tag.UniqueIdentifier, id)];
    },
  ],
  [
    Operation.Get,
    (p, ctx, app) => {
      const uid = p.uniqueIdentifier(ctx.idPlaceholder);
      if (!ids.includes(uid)) throw itemNotFound();
      return [enumeration(Tag.ObjectType, ObjectType.SymmetricKey), text(Tag.UniqueIdentifier, `${app.tenant}/${uid}`)];
    },
  ],
  [
    Operation.Destroy,
    () => {
      throw new Error('database password is hunter2');
    },
  ],
]);

function req(items: Array<[number, TtlvItem[], string?]>, extra: Partial<RequestMessage['header']> = {}, version = v14): RequestMessage {
  return {
    header: { protocolVersion: version, batchCount: items.length, ...extra },
    batchItems: items.map(([operation, payload, id]) => ({
      operation,
      uniqueBatchItemId: id === undefined ? undefined : Buffer.from(id),
      payload: struct(Tag.RequestPayload, payload),
    })),
  };
}

const opts = { handlers, supportedVersions: [v14, { major: 1, minor: 0 }, { major: 2, minor: 0 }], now: () => 1_700_000_000n };

describe('dispatch', () => {
  it('runs a Create+Get batch with the ID placeholder and echoes batch item ids and the version', async () => {
    const resp = await dispatch(
      req([
        [Operation.Create, [enumeration(Tag.ObjectType, ObjectType.SymmetricKey)], 'a'],
        [Operation.Get, [], 'b'],
      ]),
      { tenant: 't1' },
      opts,
    );
    expect(resp.header).toEqual({ protocolVersion: v14, timeStamp: 1_700_000_000n, batchCount: 2 });
    expect(resp.batchItems.map((b) => b.resultStatus)).toEqual([ResultStatus.Success, ResultStatus.Success]);
    expect(Buffer.from(resp.batchItems[1]!.uniqueBatchItemId!).toString()).toBe('b');
    const got = new Fields(resp.batchItems[1]!.payload!);
    expect(got.text(Tag.UniqueIdentifier)).toBe(`t1/${ids.at(-1)}`);
  });

  it('maps KmipError to its reason, hides internal errors, and stops at the first failure by default', async () => {
    const resp = await dispatch(
      req([
        [Operation.Get, [text(Tag.UniqueIdentifier, 'nope')]],
        [Operation.Create, [enumeration(Tag.ObjectType, ObjectType.SymmetricKey)]],
      ]),
      { tenant: 't1' },
      opts,
    );
    expect(resp.batchItems).toHaveLength(1);
    expect(resp.batchItems[0]).toMatchObject({ resultStatus: ResultStatus.OperationFailed, resultReason: ResultReason.ItemNotFound });

    const errors: unknown[] = [];
    const r2 = await dispatch(
      req(
        [
          [Operation.Destroy, [text(Tag.UniqueIdentifier, 'x')]],
          [Operation.Get, []],
          [Operation.Query, []],
        ],
        { batchErrorContinuationOption: BatchErrorContinuationOption.Continue },
      ),
      { tenant: 't1' },
      { ...opts, onInternalError: (e) => errors.push(e) },
    );
    expect(r2.batchItems.map((b) => b.resultReason)).toEqual([ResultReason.GeneralFailure, ResultReason.MissingData, ResultReason.OperationNotSupported]);
    expect(r2.batchItems[0]!.resultMessage).toBe('internal server error');
    expect(JSON.stringify(r2, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('hunter2');
    expect(errors).toHaveLength(1);
    expect(r2.batchItems[1]!.resultMessage).toMatch(/UniqueIdentifier is required/);
  });

  it('refuses unsupported protocol versions but answers DiscoverVersions in any version', async () => {
    const handlersWithDiscover = new Map(handlers);
    handlersWithDiscover.set(Operation.DiscoverVersions, () => []);
    const o = { ...opts, handlers: handlersWithDiscover };
    const bad = await dispatch(req([[Operation.Get, [text(Tag.UniqueIdentifier, 'x')]]], {}, { major: 1, minor: 3 }), { tenant: 't' }, o);
    expect(bad.batchItems[0]!.resultReason).toBe(ResultReason.InvalidMessage);
    expect(bad.header.protocolVersion).toEqual({ major: 1, minor: 3 });
    const disc = await dispatch(req([[Operation.DiscoverVersions, []]], {}, { major: 1, minor: 3 }), { tenant: 't' }, o);
    expect(disc.batchItems[0]!.resultStatus).toBe(ResultStatus.Success);
  });

  it('answers a nonsense protocol version with a complete response its client can parse', async () => {
    // Found by the wire fuzz test: major 0x80000001 (a negative Integer) filtered the header away.
    for (const version of [{ major: -2147483647, minor: 4 }, { major: 0, minor: 9 }, { major: 99, minor: 0 }]) {
      const r = await dispatch(req([[Operation.Get, [text(Tag.UniqueIdentifier, 'x')]]], {}, version), { tenant: 't' }, opts);
      const tree = decodeTtlv(encodeResponse(r)) as TtlvStructure;
      const header = tree.value.find((c) => c.tag === Tag.ResponseHeader) as TtlvStructure | undefined;
      expect(header?.value.map((c) => c.tag)).toEqual([Tag.ProtocolVersion, Tag.TimeStamp, Tag.BatchCount]);
      const item = tree.value.find((c) => c.tag === Tag.BatchItem) as TtlvStructure | undefined;
      expect(item?.value.some((c) => c.tag === Tag.ResultStatus)).toBe(true);
    }
  });

  it('maps 2.x-only result reasons to General Failure for 1.x clients', async () => {
    const h = new Map<number, Handler<null>>([
      [
        Operation.Activate,
        () => {
          throw new KmipError(ResultReason.WrongKeyLifecycleState, 'object is not pre-active');
        },
      ],
    ]);
    const o = { handlers: h, supportedVersions: [v14, { major: 2, minor: 0 }] };
    const r1 = await dispatch(req([[Operation.Activate, []]]), null, o);
    expect(r1.batchItems[0]!.resultReason).toBe(ResultReason.GeneralFailure);
    const r2 = await dispatch(req([[Operation.Activate, []]], {}, { major: 2, minor: 0 }), null, o);
    expect(r2.batchItems[0]!.resultReason).toBe(ResultReason.WrongKeyLifecycleState);
  });

  it('writes failed items as Operation, UniqueBatchItemID, ResultStatus, ResultReason, ResultMessage, in that order', async () => {
    const resp = await dispatch(req([[Operation.Get, [text(Tag.UniqueIdentifier, 'nope')], 'z']]), { tenant: 't' }, opts);
    const tree = decodeTtlv(encodeResponse(resp)) as TtlvStructure;
    const header = tree.value[0] as TtlvStructure;
    expect(header.value.map((c) => c.tag)).toEqual([Tag.ProtocolVersion, Tag.TimeStamp, Tag.BatchCount]);
    const item = tree.value[1] as TtlvStructure;
    expect(item.value.map((c) => c.tag)).toEqual([Tag.Operation, Tag.UniqueBatchItemID, Tag.ResultStatus, Tag.ResultReason, Tag.ResultMessage]);
  });

  it('answers a response over Maximum Response Size with one Response Too Large item, naming a lone operation', () => {
    const one = responseTooLarge(req([[Operation.Get, [], 'z']], { maximumResponseSize: 256 }), 300, 1n);
    expect(one.header).toEqual({ protocolVersion: v14, timeStamp: 1n, batchCount: 1 });
    expect(one.batchItems).toEqual([
      {
        operation: Operation.Get,
        uniqueBatchItemId: Buffer.from('z'),
        resultStatus: ResultStatus.OperationFailed,
        resultReason: ResultReason.ResponseTooLarge,
        resultMessage: 'the response is 300 bytes, more than the 256 allowed',
      },
    ]);
    // With several items there is no one operation to name.
    const many = responseTooLarge(req([[Operation.Get, []], [Operation.Get, []]], { maximumResponseSize: 256 }), 600, 1n);
    expect(many.batchItems).toHaveLength(1);
    expect(many.batchItems[0]).toMatchObject({ operation: undefined, resultReason: ResultReason.ResponseTooLarge });
  });
});

describe('version filter', () => {
  it('drops tags newer than the version and tags 2.0 removed, keeping the rest untouched', () => {
    const payload = struct(Tag.ResponsePayload, [
      text(Tag.UniqueIdentifier, 'k'),
      struct(Tag.KeyBlock, [int(Tag.CryptographicLength, 256), bytes(Tag.AuthenticatedEncryptionTag, Buffer.alloc(16))]),
      enumeration(Tag.ProtectionLevel, 1),
      struct(Tag.TemplateAttribute, []),
    ]);
    const tags = (t: TtlvItem): unknown => (t.type === ItemType.Structure ? [t.tag, t.value.map(tags)] : t.tag);
    expect(tags(filterForVersion(payload, V1_0))).toEqual([Tag.ResponsePayload, [Tag.UniqueIdentifier, [Tag.KeyBlock, [Tag.CryptographicLength]], [Tag.TemplateAttribute, []]]]);
    expect(tags(filterForVersion(payload, V1_4))).toEqual([
      Tag.ResponsePayload,
      [Tag.UniqueIdentifier, [Tag.KeyBlock, [Tag.CryptographicLength, Tag.AuthenticatedEncryptionTag]], [Tag.TemplateAttribute, []]],
    ]);
    expect(tags(filterForVersion(payload, V2_0))).toEqual([
      Tag.ResponsePayload,
      [Tag.UniqueIdentifier, [Tag.KeyBlock, [Tag.CryptographicLength, Tag.AuthenticatedEncryptionTag]], Tag.ProtectionLevel],
    ]);
    const untouched = struct(Tag.ResponsePayload, [text(Tag.UniqueIdentifier, 'k')]);
    expect(filterForVersion(untouched, V1_0)).toBe(untouched);
  });
});

describe('attributes', () => {
  it('reads 1.x TemplateAttribute and 2.x Attributes into the same model and writes both back', () => {
    const p1 = new Fields(
      struct(Tag.RequestPayload, [
        struct(Tag.TemplateAttribute, [
          attribute1x({ name: 'Cryptographic Algorithm', tag: undefined, value: enumeration(Tag.AttributeValue, CryptographicAlgorithm.AES) }),
          attribute1x({ name: 'x-purpose', tag: undefined, value: text(Tag.AttributeValue, 'demo') }),
        ]),
      ]),
    );
    const p2 = new Fields(struct(Tag.RequestPayload, [struct(Tag.Attributes, [enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES)])]));
    const a1 = readAttributes(p1);
    const a2 = readAttributes(p2);
    expect(a1[0]).toEqual(a2[0]);
    expect(a1[0]).toMatchObject({ name: 'Cryptographic Algorithm', tag: Tag.CryptographicAlgorithm });
    expect(a1[1]).toMatchObject({ name: 'x-purpose', tag: undefined });
    expect(writeAttributes(a1, V1_4)).toEqual(p1.item.value[0]);
    expect(writeAttributes([a1[0]!, { name: 'State', tag: Tag.State, value: enumeration(Tag.State, State.Active) }], V2_0)).toEqual(
      struct(Tag.Attributes, [enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES), enumeration(Tag.State, State.Active)]),
    );
  });

  it('names the path and tag when a field is missing or of the wrong type', () => {
    const f = new Fields(struct(Tag.RequestPayload, [struct(Tag.CryptographicParameters, [int(Tag.BlockCipherMode, 1)])]));
    expect(() => f.text(Tag.UniqueIdentifier)).toThrow('RequestPayload: UniqueIdentifier is required');
    expect(() => f.struct(Tag.CryptographicParameters).enum(Tag.BlockCipherMode)).toThrow(
      'RequestPayload/CryptographicParameters: BlockCipherMode must be Enumeration, got Integer',
    );
    try {
      f.text(Tag.UniqueIdentifier);
    } catch (e) {
      expect((e as KmipError).reason).toBe(ResultReason.MissingData);
    }
  });
});
