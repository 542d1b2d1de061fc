import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTtlv } from './decoder.js';
import { encodeTtlv } from './encoder.js';
import { TtlvDecodeError } from './errors.js';
import { TtlvFramer } from './framer.js';
import type { TtlvItem } from './types.js';
import { ItemType } from './types.js';

const tag = fc.oneof(fc.integer({ min: 0x420001, max: 0x420176 }), fc.integer({ min: 0x540000, max: 0x54ffff }));
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

const primitive: fc.Arbitrary<TtlvItem> = fc.oneof(
  fc.record({ tag, type: fc.constant(ItemType.Integer), value: fc.integer({ min: -0x80000000, max: 0x7fffffff }) }),
  fc.record({ tag, type: fc.constant(ItemType.LongInteger), value: int64 }),
  fc.record({ tag, type: fc.constant(ItemType.BigInteger), value: fc.bigInt({ min: -(1n << 600n), max: 1n << 600n }) }),
  fc.record({ tag, type: fc.constant(ItemType.Enumeration), value: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ tag, type: fc.constant(ItemType.Boolean), value: fc.boolean() }),
  fc.record({ tag, type: fc.constant(ItemType.TextString), value: fc.string({ unit: 'binary', maxLength: 40 }) }),
  fc.record({ tag, type: fc.constant(ItemType.ByteString), value: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)) }),
  fc.record({ tag, type: fc.constant(ItemType.DateTime), value: int64 }),
  fc.record({ tag, type: fc.constant(ItemType.Interval), value: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ tag, type: fc.constant(ItemType.DateTimeExtended), value: int64 }),
) as fc.Arbitrary<TtlvItem>;

const { tree } = fc.letrec<{ tree: TtlvItem }>((self) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.record({ tag, type: fc.constant(ItemType.Structure), value: fc.array(self('tree'), { maxLength: 6 }) }) as fc.Arbitrary<TtlvItem>,
  ),
}));

// Lone surrogates cannot survive UTF-8; the encoder writes U+FFFD for them, as Buffer does.
const wellFormed = (t: TtlvItem): boolean =>
  t.type === ItemType.Structure ? t.value.every(wellFormed) : t.type !== ItemType.TextString || !/\p{Cs}/u.test(t.value);

describe('TTLV properties', () => {
  it('decode(encode(x)) equals x for arbitrary trees', () => {
    fc.assert(
      fc.property(tree.filter(wellFormed), (t) => {
        const wire = encodeTtlv(t);
        expect(wire.length % 8).toBe(0);
        expect(decodeTtlv(wire)).toEqual(t);
        expect(encodeTtlv(decodeTtlv(wire)).equals(wire)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary bytes only ever raise TtlvDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (u) => {
        try {
          decodeTtlv(Buffer.from(u));
        } catch (e) {
          expect(e).toBeInstanceOf(TtlvDecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated valid messages only ever raise TtlvDecodeError, in the decoder and the framer', () => {
    fc.assert(
      fc.property(
        tree,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat({ max: 64 }),
        (t, flips, cut) => {
          const wire = Buffer.from(encodeTtlv({ tag: 0x420078, type: ItemType.Structure, value: [t] }));
          for (const [at, v] of flips) wire[at % wire.length] = v;
          try {
            decodeTtlv(wire);
          } catch (e) {
            expect(e).toBeInstanceOf(TtlvDecodeError);
          }
          const f = new TtlvFramer({ maxMessageSize: 1 << 16 });
          try {
            f.push(wire.subarray(0, Math.min(cut, wire.length)), (m) => decodeTtlv(m));
            f.push(wire.subarray(Math.min(cut, wire.length)), (m) => decodeTtlv(m));
          } catch (e) {
            expect(e).toBeInstanceOf(TtlvDecodeError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a huge declared length is rejected without allocating it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1024 * 1024, max: 0xfffffff8 }), (len) => {
        const header = Buffer.from([0x42, 0x00, 0x78, 0x01, 0, 0, 0, 0]);
        header.writeUInt32BE((len & ~7) >>> 0, 4);
        const before = process.memoryUsage().arrayBuffers;
        expect(() => new TtlvFramer().push(header, () => undefined)).toThrow(TtlvDecodeError);
        // Nothing near the claimed size was allocated.
        expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(512 * 1024);
        // The decoder, given only the header, reports truncation without reading further.
        expect(() => decodeTtlv(header)).toThrow(TtlvDecodeError);
      }),
      { numRuns: 100 },
    );
  });
});
