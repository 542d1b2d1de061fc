import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTtlv } from '../codec/decoder.js';
import { encodeTtlv } from '../codec/encoder.js';
import {
  BlockCipherMode,
  CryptographicAlgorithm,
  CryptographicUsageMask,
  KeyFormatType,
  ObjectType,
  Operation,
  PaddingMethod,
  ResultReason,
  ResultStatus,
} from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem, TtlvStructure } from '../codec/types.js';
import { bytes, enumeration, int, struct, text } from '../codec/types.js';
import type { ProtocolVersion } from '../codec/version.js';
import { attribute1x } from './attributes.js';
import { encodeResponse } from './dispatch.js';
import type { RequestMessage } from './messages.js';
import { parseRequestMessage, parseResponseMessage, requestMessageToTtlv } from './messages.js';

const vectors = JSON.parse(readFileSync(new URL('./testdata/pykmip-vectors.json', import.meta.url), 'utf8')) as Record<string, string>;

function request(version: ProtocolVersion, operation: number, payload: TtlvItem[]): Buffer {
  const msg: RequestMessage = {
    header: { protocolVersion: version, batchCount: 1 },
    batchItems: [{ operation, payload: struct(Tag.RequestPayload, payload) }],
  };
  return encodeTtlv(requestMessageToTtlv(msg));
}

const attr = (name: string, value: TtlvItem): TtlvStructure => attribute1x({ name, tag: undefined, value });
const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

// Each message built with this codebase's protocol layer must be byte-identical to PyKMIP's
// encoding of the same message (testdata/pykmip_vectors.py produced the hex).
const CASES: Array<[string, () => Buffer]> = [
  [
    'create_request_1_2',
    () =>
      request({ major: 1, minor: 2 }, Operation.Create, [
        enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
        struct(Tag.TemplateAttribute, [
          attr('Cryptographic Algorithm', enumeration(Tag.AttributeValue, CryptographicAlgorithm.AES)),
          attr('Cryptographic Length', int(Tag.AttributeValue, 256)),
          attr('Cryptographic Usage Mask', int(Tag.AttributeValue, CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt)),
        ]),
      ]),
  ],
  ['get_request_1_0', () => request({ major: 1, minor: 0 }, Operation.Get, [text(Tag.UniqueIdentifier, '42')])],
  ['activate_request_1_4', () => request({ major: 1, minor: 4 }, Operation.Activate, [text(Tag.UniqueIdentifier, '42')])],
  ['destroy_request_1_4', () => request({ major: 1, minor: 4 }, Operation.Destroy, [text(Tag.UniqueIdentifier, '42')])],
  [
    'encrypt_request_1_2',
    () =>
      request({ major: 1, minor: 2 }, Operation.Encrypt, [
        text(Tag.UniqueIdentifier, '42'),
        struct(Tag.CryptographicParameters, [
          enumeration(Tag.BlockCipherMode, BlockCipherMode.CBC),
          enumeration(Tag.PaddingMethod, PaddingMethod.PKCS5),
          enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES),
        ]),
        bytes(Tag.Data, Buffer.from('0102030405060708', 'hex')),
      ]),
  ],
  [
    'discover_versions_request_1_4',
    () =>
      request({ major: 1, minor: 4 }, Operation.DiscoverVersions, [
        struct(Tag.ProtocolVersion, [int(Tag.ProtocolVersionMajor, 2), int(Tag.ProtocolVersionMinor, 0)]),
        struct(Tag.ProtocolVersion, [int(Tag.ProtocolVersionMajor, 1), int(Tag.ProtocolVersionMinor, 4)]),
      ]),
  ],
  [
    'get_response_1_0',
    () =>
      encodeResponse({
        header: { protocolVersion: { major: 1, minor: 0 }, timeStamp: 1_700_000_000n, batchCount: 1 },
        batchItems: [
          {
            operation: Operation.Get,
            resultStatus: ResultStatus.Success,
            payload: struct(Tag.ResponsePayload, [
              enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
              text(Tag.UniqueIdentifier, '42'),
              struct(Tag.SymmetricKey, [
                struct(Tag.KeyBlock, [
                  enumeration(Tag.KeyFormatType, KeyFormatType.Raw),
                  struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, key)]),
                  enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES),
                  int(Tag.CryptographicLength, 256),
                ]),
              ]),
            ]),
          },
        ],
      }),
  ],
  [
    'failure_response_1_2',
    () =>
      encodeResponse({
        header: { protocolVersion: { major: 1, minor: 2 }, timeStamp: 1_700_000_000n, batchCount: 1 },
        batchItems: [
          {
            operation: Operation.Get,
            resultStatus: ResultStatus.OperationFailed,
            resultReason: ResultReason.ItemNotFound,
            resultMessage: 'object not found',
          },
        ],
      }),
  ],
];

describe('whole messages, byte for byte against PyKMIP', () => {
  for (const [name, build] of CASES) {
    it(name, () => {
      expect(build().toString('hex')).toBe(vectors[name]);
      const wire = Buffer.from(vectors[name]!, 'hex');
      expect(encodeTtlv(decodeTtlv(wire)).equals(wire)).toBe(true);
    });
  }
});

describe('whole messages from the KMIP 1.1 test cases', () => {
  // Test case 3.1.1 (Create a symmetric key): AES-128, usage mask Encrypt|Decrypt, version 1.1.
  const TC_3_1_1 = [
    '42 00 78 01 00 00 01 20 42 00 77 01 00 00 00 38',
    '42 00 69 01 00 00 00 20 42 00 6A 02 00 00 00 04',
    '00 00 00 01 00 00 00 00 42 00 6B 02 00 00 00 04',
    '00 00 00 01 00 00 00 00 42 00 0D 02 00 00 00 04',
    '00 00 00 01 00 00 00 00 42 00 0F 01 00 00 00 D8',
    '42 00 5C 05 00 00 00 04 00 00 00 01 00 00 00 00',
    '42 00 79 01 00 00 00 C0 42 00 57 05 00 00 00 04',
    '00 00 00 02 00 00 00 00 42 00 91 01 00 00 00 A8',
    '42 00 08 01 00 00 00 30 42 00 0A 07 00 00 00 17',
    '43 72 79 70 74 6F 67 72 61 70 68 69 63 20 41 6C',
    '67 6F 72 69 74 68 6D 00 42 00 0B 05 00 00 00 04',
    '00 00 00 03 00 00 00 00 42 00 08 01 00 00 00 30',
    '42 00 0A 07 00 00 00 14 43 72 79 70 74 6F 67 72',
    '61 70 68 69 63 20 4C 65 6E 67 74 68 00 00 00 00',
    '42 00 0B 02 00 00 00 04 00 00 00 80 00 00 00 00',
    '42 00 08 01 00 00 00 30 42 00 0A 07 00 00 00 18',
    '43 72 79 70 74 6F 67 72 61 70 68 69 63 20 55 73',
    '61 67 65 20 4D 61 73 6B 42 00 0B 02 00 00 00 04',
    '00 00 00 0C 00 00 00 00',
  ].join(' ');
  it('3.1.1 Create: parses to the expected request and re-encodes identically', () => {
    const wire = Buffer.from(TC_3_1_1.replace(/ /g, ''), 'hex');
    const tree = decodeTtlv(wire);
    const msg = parseRequestMessage(tree);
    expect(msg.header.protocolVersion).toEqual({ major: 1, minor: 1 });
    expect(msg.batchItems[0]!.operation).toBe(Operation.Create);
    expect(
      request({ major: 1, minor: 1 }, Operation.Create, [
        enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
        struct(Tag.TemplateAttribute, [
          attr('Cryptographic Algorithm', enumeration(Tag.AttributeValue, CryptographicAlgorithm.AES)),
          attr('Cryptographic Length', int(Tag.AttributeValue, 128)),
          attr('Cryptographic Usage Mask', int(Tag.AttributeValue, CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt)),
        ]),
      ]).equals(wire),
    ).toBe(true);
    expect(encodeTtlv(requestMessageToTtlv(msg)).equals(wire)).toBe(true);
  });
});

describe('message model', () => {
  it('parses a response and rejects a request whose BatchCount disagrees', () => {
    const resp = parseResponseMessage(decodeTtlv(Buffer.from(vectors.failure_response_1_2!, 'hex')));
    expect(resp.batchItems[0]).toMatchObject({ resultStatus: ResultStatus.OperationFailed, resultReason: ResultReason.ItemNotFound, resultMessage: 'object not found' });
    const bad = decodeTtlv(request({ major: 1, minor: 4 }, Operation.Get, []));
    const header = (bad as TtlvStructure).value[0] as TtlvStructure;
    (header.value[1] as { value: number }).value = 2;
    expect(() => parseRequestMessage(bad)).toThrow(/BatchCount is 2/);
  });
});
