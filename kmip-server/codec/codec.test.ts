import { describe, expect, it } from 'vitest';
import { decodeTtlv } from './decoder.js';
import { encodeTtlv } from './encoder.js';
import { TtlvDecodeError } from './errors.js';
import { Tag } from './tags.js';
import type { TtlvItem } from './types.js';
import { bigInt, bool, bytes, dateTime, dateTimeExtended, enumeration, int, interval, long, struct, text } from './types.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');

// The examples of KMIP 1.x spec section 9.1.2 ("Examples"), byte for byte.
const SPEC_EXAMPLES: Array<[string, TtlvItem, string]> = [
  ['Integer 8', int(0x420020, 8), '42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00'],
  ['Long Integer 123456789000000000', long(0x420020, 123456789000000000n), '42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00'],
  [
    'Big Integer 1234567890000000000000000000',
    bigInt(0x420020, 1234567890000000000000000000n),
    '42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00',
  ],
  ['Enumeration 255', enumeration(0x420020, 255), '42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00'],
  ['Boolean true', bool(0x420020, true), '42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01'],
  [
    'Text String "Hello World"',
    text(0x420020, 'Hello World'),
    '42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00',
  ],
  ['Byte String 01 02 03', bytes(0x420020, Buffer.from([1, 2, 3])), '42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00'],
  ['Date-Time 2008-03-14T11:56:40Z', dateTime(0x420020, 0x47da67f8n), '42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8'],
  ['Interval 10 days', interval(0x420020, 864000), '42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00'],
  [
    'Structure of Enumeration 254 and Integer 255',
    struct(0x420020, [enumeration(0x420004, 254), int(0x420005, 255)]),
    '42 00 20 | 01 | 00 00 00 20 | 42 00 04 | 05 | 00 00 00 04 | 00 00 00 FE 00 00 00 00 | 42 00 05 | 02 | 00 00 00 04 | 00 00 00 FF 00 00 00 00',
  ],
];

describe('TTLV item encodings (KMIP spec 9.1.2 examples)', () => {
  for (const [name, item, wire] of SPEC_EXAMPLES) {
    it(`encodes ${name}`, () => {
      expect(encodeTtlv(item).toString('hex')).toBe(hex(wire).toString('hex'));
    });
    it(`decodes ${name}`, () => {
      expect(decodeTtlv(hex(wire))).toEqual(item);
    });
  }

  it('encodes the KMIP 2.0 Date Time Extended type (0x0B) as a signed 64-bit microsecond count', () => {
    const item = dateTimeExtended(0x420020, 1_700_000_000_123_456n);
    const wire = encodeTtlv(item);
    expect(wire.subarray(0, 8).toString('hex')).toBe('4200200b00000008');
    expect(wire.readBigInt64BE(8)).toBe(1_700_000_000_123_456n);
    expect(decodeTtlv(wire)).toEqual(item);
  });

  it('sign-extends negative Big Integers and pads them to 8 bytes', () => {
    expect(encodeTtlv(bigInt(0x420020, -1n)).toString('hex')).toBe('4200200400000008ffffffffffffffff');
    expect(encodeTtlv(bigInt(0x420020, 0x80n)).toString('hex')).toBe('42002004000000080000000000000080');
    // 2^63 needs a 9th byte for the sign bit, so 16 bytes.
    expect(encodeTtlv(bigInt(0x420020, 1n << 63n)).readUInt32BE(4)).toBe(16);
    for (const v of [0n, -1n, -128n, 1n << 200n, -(1n << 200n), 123456789n]) {
      expect(decodeTtlv(encodeTtlv(bigInt(0x420020, v)))).toEqual(bigInt(0x420020, v));
    }
  });

  it('pads text to 8 bytes using the UTF-8 length, not the character count', () => {
    const wire = encodeTtlv(text(Tag.NameValue, 'Grüße €'));
    expect(wire.readUInt32BE(4)).toBe(Buffer.byteLength('Grüße €'));
    expect(wire.length % 8).toBe(0);
    expect(decodeTtlv(wire)).toEqual(text(Tag.NameValue, 'Grüße €'));
  });

  it('encodes an empty structure and empty strings', () => {
    expect(encodeTtlv(struct(Tag.RequestPayload, [])).toString('hex')).toBe('4200790100000000');
    expect(encodeTtlv(text(Tag.NameValue, '')).toString('hex')).toBe('4200550700000000');
    expect(decodeTtlv(hex('4200550800000000'))).toEqual(bytes(Tag.NameValue, Buffer.alloc(0)));
  });
});

describe('strict decoding', () => {
  const expectProblem = (wire: string, problem: string, offset?: number): void => {
    let err: unknown;
    try {
      decodeTtlv(hex(wire));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TtlvDecodeError);
    expect((err as TtlvDecodeError).problem).toBe(problem);
    if (offset !== undefined) expect((err as TtlvDecodeError).offset).toBe(offset);
  };

  it('rejects a truncated header and a truncated value', () => {
    expectProblem('420020', 'truncated', 0);
    expectProblem('42002002000000040000', 'truncated', 0);
  });
  it('rejects wrong fixed lengths', () => {
    expectProblem('4200200200000008 0000000000000008', 'bad-length');
    expectProblem('4200200600000004 0000000100000000', 'bad-length');
    expectProblem('4200200400000004 0000000100000000', 'bad-length');
  });
  it('rejects unknown item types and tags outside 0x42/0x54', () => {
    expectProblem('4200200c00000000', 'bad-type');
    expectProblem('4300200200000004 0000000800000000', 'bad-tag');
  });
  it('rejects non-zero padding', () => {
    expectProblem('4200200200000004 0000000800000001', 'bad-padding');
    expectProblem('4200200700000001 4101000000000000', 'bad-padding');
  });
  it('rejects Booleans other than 0 and 1, and invalid UTF-8', () => {
    expectProblem('4200200600000008 0000000000000002', 'bad-value');
    expectProblem('4200200700000002 c328000000000000', 'bad-value');
  });
  it('rejects a child that overruns its structure, naming the child offset and tag', () => {
    // Structure of 16 bytes whose child claims 16 bytes of value.
    const wire = '4200790100000010 4200940700000010 4142434445464748';
    let err: TtlvDecodeError | undefined;
    try {
      decodeTtlv(hex(wire));
    } catch (e) {
      err = e as TtlvDecodeError;
    }
    expect(err?.problem).toBe('bad-length');
    expect(err?.offset).toBe(8);
    expect(err?.tag).toBe(Tag.UniqueIdentifier);
  });
  it('rejects trailing bytes after the item', () => {
    expectProblem('4200200200000004 0000000800000000 00', 'trailing-bytes', 16);
  });
  it('rejects structure nesting deeper than the limit', () => {
    let wire = Buffer.alloc(0);
    for (let i = 0; i < 40; i++) {
      const h = Buffer.alloc(8);
      h.writeUIntBE(0x420079, 0, 3);
      h[3] = 1;
      h.writeUInt32BE(wire.length, 4);
      wire = Buffer.concat([h, wire]);
    }
    expect(() => decodeTtlv(wire)).toThrow(TtlvDecodeError);
    expect(decodeTtlv(wire, { maxDepth: 64 }).tag).toBe(0x420079);
  });
  it('adds the base offset to error offsets', () => {
    try {
      decodeTtlv(hex('420020'), { baseOffset: 100 });
    } catch (e) {
      expect((e as TtlvDecodeError).offset).toBe(100);
    }
    expect.assertions(1);
  });
});
