import { describe, expect, it } from 'vitest';
import { CorruptAttributesError, packAttributes, unpackAttributes } from './packed-attributes.js';

const sample = [
  { n: 'Cryptographic Algorithm', v: Buffer.from('42002805000000040000000300000000', 'hex') },
  { n: 'Name', v: Buffer.from('4200530100000000', 'hex') },
  { n: 'x-Schlüssel', v: Buffer.alloc(0) },
];

describe('packed attributes', () => {
  it('round-trip names (UTF-8) and values exactly, in order', () => {
    const back = unpackAttributes(packAttributes(sample));
    expect(back.map((a) => a.n)).toEqual(sample.map((a) => a.n));
    expect(back.map((a) => Buffer.from(a.v).toString('hex'))).toEqual(sample.map((a) => a.v.toString('hex')));
  });

  it('have a golden layout: format byte, then u16 name length + name, u32 value length + value', () => {
    expect(packAttributes([{ n: 'A', v: Buffer.from([0xab, 0xcd]) }]).toString('hex')).toBe('01' + '0001' + '41' + '00000002' + 'abcd');
    expect(packAttributes([]).toString('hex')).toBe('01');
  });

  it('refuse an unknown format and every truncation with a clear error', () => {
    const packed = packAttributes(sample);
    expect(() => unpackAttributes(Buffer.from([2]))).toThrow(/unknown format 2/);
    expect(() => unpackAttributes(Buffer.alloc(0))).toThrow(CorruptAttributesError);
    // Cutting inside a record is refused; cutting exactly at a record's end is a shorter, valid list.
    const ends = new Set<number>([1]);
    for (let i = 0, at = 1; i < sample.length; i++) ends.add((at += 2 + Buffer.byteLength(sample[i]!.n) + 4 + sample[i]!.v.length));
    for (let cut = 1; cut < packed.length; cut++) {
      if (ends.has(cut)) expect(unpackAttributes(packed.subarray(0, cut)).length).toBeLessThan(sample.length);
      else expect(() => unpackAttributes(packed.subarray(0, cut)), `cut at ${cut}`).toThrow(CorruptAttributesError);
    }
  });
});
