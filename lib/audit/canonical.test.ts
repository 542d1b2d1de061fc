import { describe, expect, it } from 'vitest';
import { type ChainedFields, canonicalEncoding, genesisHash, recordHash } from './canonical.js';

const record: ChainedFields = {
  chainId: 'kmip:host:1:2:abc',
  seq: 7,
  prevHash: 'a'.repeat(64),
  time: new Date('2026-01-02T03:04:05.678Z'),
  tenantId: 'acme',
  actor: { kind: 'service', id: 'svc' },
  operation: 'kmip.Get',
  result: 'success',
  details: { b: 2, a: 'x' },
};

describe('canonical audit encoding', () => {
  it('has a fixed field order with nulls for absent fields and sorted details', () => {
    expect(canonicalEncoding(record)).toBe(
      '["openkcm.audit.v1","kmip:host:1:2:abc",7,"' + 'a'.repeat(64) +
        '","2026-01-02T03:04:05.678Z","acme","service","svc","kmip.Get",null,null,"success",null,null,null,null,[["a","x"],["b",2]]]',
    );
  });

  it('writes each record its own time, and refuses an invalid one', () => {
    const at = (iso: string) => canonicalEncoding({ ...record, time: new Date(iso) });
    // Alternating times (the encoder keeps the last one as text): each record still gets its own.
    for (const iso of ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.679Z', '2026-01-02T03:04:05.678Z']) expect(at(iso)).toContain(`"${iso}"`);
    expect(() => canonicalEncoding({ ...record, time: new Date(Number.NaN) })).toThrow(RangeError);
  });

  it('does not depend on property insertion order', () => {
    const reordered = Object.fromEntries(Object.entries({ ...record, details: { a: 'x', b: 2 } }).reverse()) as unknown as ChainedFields;
    expect(Object.keys(reordered)[0]).toBe('details');
    expect(recordHash(reordered)).toBe(recordHash(record));
  });

  it('treats absent and null optional fields alike, and changes with every field', () => {
    expect(recordHash({ ...record, objectId: null, reason: undefined })).toBe(recordHash(record));
    const variants: Array<Partial<ChainedFields>> = [
      { seq: 8 },
      { prevHash: 'b'.repeat(64) },
      { time: new Date(record.time.getTime() + 1) },
      { tenantId: null },
      { actor: { kind: 'user', id: 'svc' } },
      { objectId: 'o' },
      { l2Version: 0 },
      { result: 'denied' },
      { crossTenant: false },
      { latencyMs: 0 },
      { clientAddress: '' },
      { details: { a: 'x', b: '2' } },
    ];
    for (const v of variants) expect(recordHash({ ...record, ...v })).not.toBe(recordHash(record));
  });

  it('derives a distinct genesis per chain', () => {
    expect(genesisHash('a')).toMatch(/^[0-9a-f]{64}$/);
    expect(genesisHash('a')).not.toBe(genesisHash('b'));
  });
});
