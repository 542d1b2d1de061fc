import { deflateRawSync } from 'node:zlib';
import { Binary } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AuditBlockCorruptError, MAX_LISTED_OBJECTS, decodeAuditBlock, encodeAuditBlock, isEphemeralObjectId, summaryMismatch } from './blocks.js';
import { AuditChain } from './chain.js';
import type { AuditRecordDocument } from './store.js';
import { sampleKmipEvent } from './testing/events.js';

const T0 = Date.parse('2026-12-01T00:00:00.000Z');

function chainOf(n: number): AuditRecordDocument[] {
  const chain = new AuditChain('kmip:host:1:1:abc');
  return Array.from({ length: n }, (_, i) =>
    chain.next({ ...sampleKmipEvent(i + 1, i % 3 === 0 ? 'beta' : 'acme'), time: new Date(T0 + i * 1000), ...(i === 4 ? { crossTenant: true, result: 'denied' } : {}) }, () => new Date()),
  );
}

describe('audit blocks', () => {
  it('keep records exactly as chained, with a summary of them', () => {
    const records = chainOf(10);
    const block = encodeAuditBlock(records);
    expect(block).toMatchObject({
      _id: 'kmip:host:1:1:abc:1',
      chainId: 'kmip:host:1:1:abc',
      firstSeq: 1,
      lastSeq: 10,
      count: 10,
      from: new Date(T0),
      to: new Date(T0 + 9000),
      operations: ['kmip.Get'],
      crossTenant: true,
    });
    expect(new Set(block.tenants)).toEqual(new Set(['acme', 'beta']));
    expect(new Set(block.results)).toEqual(new Set(['success', 'denied']));
    expect(decodeAuditBlock(block)).toEqual(records);
    expect(summaryMismatch(block, records)).toBeUndefined();
  });

  it('read a block written by hand in format 1 (compressed JSON lines)', () => {
    const line = '{"_id":"0123456789abcdef01234567","chainId":"c","seq":1,"prevHash":"p","time":"2026-12-01T00:00:00.000Z","tenantId":null,"actor":{"kind":"system","id":"s"},"operation":"x","result":"success","hash":"h"}\n';
    const [record] = decodeAuditBlock({ _id: 'c:1', format: 1, records: new Binary(deflateRawSync(Buffer.from(line))) });
    expect(record!._id.toHexString()).toBe('0123456789abcdef01234567');
    expect(record!.time).toEqual(new Date('2026-12-01T00:00:00.000Z'));
    expect(record).toMatchObject({ chainId: 'c', seq: 1, tenantId: null, actor: { kind: 'system', id: 's' } });
  });

  it('refuse an unknown format, records that are not binary, and damaged bytes at every length', () => {
    const block = encodeAuditBlock(chainOf(3));
    expect(() => decodeAuditBlock({ ...block, format: 2 })).toThrow(AuditBlockCorruptError);
    expect(() => decodeAuditBlock({ ...block, records: 'text' as unknown as Binary })).toThrow(AuditBlockCorruptError);
    const bytes = Buffer.from(block.records.buffer);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decodeAuditBlock({ ...block, records: new Binary(bytes.subarray(0, cut)) })).toThrow(AuditBlockCorruptError);
    }
    const cutLine = deflateRawSync(Buffer.from('{"chainId":"c"}'));
    expect(() => decodeAuditBlock({ ...block, records: new Binary(cutLine) })).toThrow(/cut off/);
    const notJson = deflateRawSync(Buffer.from('not json\n'));
    expect(() => decodeAuditBlock({ ...block, records: new Binary(notJson) })).toThrow(/record 1 is not readable/);
  });

  it('list the stored objects their records name, and only say whether they name ephemeral keys', () => {
    const chain = new AuditChain('kmip:host:1:1:abc');
    const ephemeral = 'e1.acme.1.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBB';
    const records = ['key-1', ephemeral, 'key-2', 'key-1', undefined].map((objectId, i) => chain.next({ ...sampleKmipEvent(i), objectId }, () => new Date(T0)));
    const block = encodeAuditBlock(records);
    expect(new Set(block.objects)).toEqual(new Set(['key-1', 'key-2']));
    expect(block.ephemeralObjects).toBe(true);
    expect(isEphemeralObjectId(ephemeral)).toBe(true);
    expect(isEphemeralObjectId('2b0f4c1e-9a0e-4c5e-8f0e-3d2b1a0c9e8f')).toBe(false);
    // A list that leaves an object out would hide its records from object queries; no list hides nothing.
    expect(summaryMismatch({ ...block, objects: ['key-1'] }, records)).toMatch(/\(objects\)$/);
    expect(summaryMismatch({ ...block, ephemeralObjects: false }, records)).toMatch(/\(ephemeralObjects\)$/);
    expect(summaryMismatch({ ...block, objects: undefined, ephemeralObjects: undefined }, records)).toBeUndefined();
  });

  it('list no objects when they are too many to index, and then accept no list', () => {
    const chain = new AuditChain('kmip:host:1:1:abc');
    const records = Array.from({ length: MAX_LISTED_OBJECTS + 1 }, (_, i) => chain.next({ ...sampleKmipEvent(i), objectId: `key-${i}` }, () => new Date(T0)));
    const block = encodeAuditBlock(records);
    expect(block.objects).toBeUndefined();
    expect(summaryMismatch(block, records)).toBeUndefined();
    expect(summaryMismatch({ ...block, objects: ['key-0'] }, records)).toMatch(/objects/);
  });

  it('name every summary field that does not describe the records', () => {
    const records = chainOf(6);
    const block = encodeAuditBlock(records);
    expect(summaryMismatch({ ...block, tenants: ['acme'] }, records)).toMatch(/\(tenants\)$/);
    expect(summaryMismatch({ ...block, lastSeq: 5, crossTenant: false }, records)).toMatch(/\(sequence range, crossTenant\)$/);
    expect(summaryMismatch({ ...block, to: new Date(T0) }, records)).toMatch(/time range/);
    expect(summaryMismatch(block, [])).toBe('block holds no records');
  });
});
