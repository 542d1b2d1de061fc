import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeTtlv } from '../../kmip-server/codec/encoder.js';
import { BlockCipherMode, CryptographicAlgorithm, ObjectType, PaddingMethod, QueryFunction, RevocationReasonCode } from '../../kmip-server/codec/enums.js';
import { Tag } from '../../kmip-server/codec/tags.js';
import { enumeration, int, struct } from '../../kmip-server/codec/types.js';
import type { ProtocolVersion } from '../../kmip-server/codec/version.js';
import { V2_0, versionCode } from '../../kmip-server/codec/version.js';
import { requestMessageToTtlv } from '../../kmip-server/protocol/messages.js';
import type { KmipOperation } from './operations.js';
import * as ops from './operations.js';

const vectors = JSON.parse(readFileSync(new URL('../../kmip-server/protocol/testdata/pykmip-vectors.json', import.meta.url), 'utf8')) as Record<
  string,
  string
>;

function wire(op: KmipOperation<unknown>, version: ProtocolVersion = { major: 1, minor: 4 }): string {
  return encodeTtlv(
    requestMessageToTtlv({
      header: { protocolVersion: version, batchCount: 1 },
      batchItems: [{ operation: op.operation, payload: struct(Tag.RequestPayload, op.build(versionCode(version))) }],
    }),
  ).toString('hex');
}

const cbc = { blockCipherMode: BlockCipherMode.CBC, paddingMethod: PaddingMethod.PKCS5, algorithm: CryptographicAlgorithm.AES };

// The client's request payloads, byte for byte as PyKMIP encodes the same requests
// (kmip-server/protocol/testdata/pykmip_vectors.py).
describe('client request payloads match PyKMIP', () => {
  it('Create (AES-256, Encrypt|Decrypt), protocol 1.2', () => {
    expect(wire(ops.create(), { major: 1, minor: 2 })).toBe(vectors.create_request_1_2);
  });
  it('Register SecretData (libmongocrypt style: Seed, Opaque, usage mask 0), protocol 1.0', () => {
    const op = ops.register({
      objectType: ObjectType.SecretData,
      object: ops.secretDataObject(Buffer.from(Array.from({ length: 96 }, (_, i) => i))),
      attributes: [int(Tag.CryptographicUsageMask, 0)],
    });
    expect(wire(op, { major: 1, minor: 0 })).toBe(vectors.client_register_secret_data_1_0);
  });
  it('Get, Activate, Destroy, GetAttributeList, ReKey', () => {
    expect(wire(ops.get('42'), { major: 1, minor: 0 })).toBe(vectors.get_request_1_0);
    expect(wire(ops.activate('42'))).toBe(vectors.activate_request_1_4);
    expect(wire(ops.destroy('42'))).toBe(vectors.destroy_request_1_4);
    expect(wire(ops.getAttributeList('42'))).toBe(vectors.client_get_attribute_list);
    expect(wire(ops.reKey('42'))).toBe(vectors.client_rekey);
  });
  it('GetAttributes by 1.x names', () => {
    expect(wire(ops.getAttributes('42', ['State', 'Cryptographic Length']))).toBe(vectors.client_get_attributes);
  });
  it('Revoke, Locate, Query, DiscoverVersions', () => {
    expect(wire(ops.revoke('42', RevocationReasonCode.CessationOfOperation))).toBe(vectors.client_revoke);
    expect(
      wire(ops.locate({ maximumItems: 10, attributes: [enumeration(Tag.ObjectType, ObjectType.SymmetricKey), ops.nameAttribute('mongodb-cmk')] })),
    ).toBe(vectors.client_locate);
    expect(wire(ops.query([QueryFunction.QueryOperations, QueryFunction.QueryObjects]))).toBe(vectors.client_query);
    expect(wire(ops.discoverVersions([{ major: 2, minor: 0 }, { major: 1, minor: 4 }]))).toBe(vectors.discover_versions_request_1_4);
  });
  it('Encrypt and Decrypt with AES-CBC-PKCS5, protocol 1.2', () => {
    expect(wire(ops.encrypt('42', Buffer.from('0102030405060708', 'hex'), { parameters: cbc }), { major: 1, minor: 2 })).toBe(vectors.encrypt_request_1_2);
    const data = Buffer.from(Array.from({ length: 16 }, (_, i) => i));
    const iv = Buffer.from(Array.from({ length: 16 }, (_, i) => i + 16));
    expect(wire(ops.decrypt('42', data, { parameters: cbc, iv }), { major: 1, minor: 2 })).toBe(vectors.client_decrypt_1_2);
  });
});

describe('client request payloads for KMIP 2.x', () => {
  it('writes attributes as an Attributes structure and names attributes by reference', () => {
    const create = ops.create({ name: 'k' }).build(V2_0);
    expect(create.map((c) => c.tag)).toEqual([Tag.ObjectType, Tag.Attributes]);
    const getAttrs = ops.getAttributes('42', ['State']).build(V2_0);
    expect(getAttrs).toEqual([expect.objectContaining({ tag: Tag.UniqueIdentifier }), enumeration(Tag.AttributeReference, Tag.State)]);
  });
});
