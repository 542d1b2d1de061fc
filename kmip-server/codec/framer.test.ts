import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTtlv } from './encoder.js';
import { TtlvDecodeError } from './errors.js';
import { TtlvFramer } from './framer.js';
import { Tag } from './tags.js';
import { enumeration, int, struct, text } from './types.js';

const message = (uid: string): Buffer =>
  encodeTtlv(
    struct(Tag.RequestMessage, [
      struct(Tag.RequestHeader, [
        struct(Tag.ProtocolVersion, [int(Tag.ProtocolVersionMajor, 1), int(Tag.ProtocolVersionMinor, 4)]),
        int(Tag.BatchCount, 1),
      ]),
      struct(Tag.BatchItem, [enumeration(Tag.Operation, 10), struct(Tag.RequestPayload, [text(Tag.UniqueIdentifier, uid)])]),
    ]),
  );

function frameAll(framer: TtlvFramer, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const c of chunks) framer.push(c, (m) => out.push(Buffer.from(m)));
  return out;
}

describe('TtlvFramer', () => {
  const a = message('first-object');
  const b = message('second-object-with-a-longer-id');

  it('reassembles a message split in two at every byte offset', () => {
    for (let cut = 0; cut <= a.length; cut++) {
      const got = frameAll(new TtlvFramer(), [a.subarray(0, cut), a.subarray(cut)]);
      expect(got, `cut at ${cut}`).toEqual([a]);
    }
  });

  it('reassembles two back-to-back messages split at every byte offset', () => {
    const both = Buffer.concat([a, b]);
    for (let cut = 0; cut <= both.length; cut++) {
      const got = frameAll(new TtlvFramer(), [both.subarray(0, cut), both.subarray(cut)]);
      expect(got, `cut at ${cut}`).toEqual([a, b]);
    }
  });

  it('reassembles messages fed one byte at a time', () => {
    const both = Buffer.concat([a, b, a]);
    const bytes = [...both].map((x) => Buffer.from([x]));
    expect(frameAll(new TtlvFramer(), bytes)).toEqual([a, b, a]);
  });

  it('hands over several messages contained in one chunk, in order, without copying', () => {
    const chunk = Buffer.concat([a, b, a]);
    const seen: Buffer[] = [];
    new TtlvFramer().push(chunk, (m) => seen.push(m));
    expect(seen).toHaveLength(3);
    expect(seen[0]!.buffer).toBe(chunk.buffer);
    expect(seen.map((m) => m.length)).toEqual([a.length, b.length, a.length]);
  });

  it('reports stream offsets of messages', () => {
    const offsets: number[] = [];
    const f = new TtlvFramer();
    f.push(Buffer.concat([a, b]), (_m, at) => offsets.push(at));
    f.push(a, (_m, at) => offsets.push(at));
    expect(offsets).toEqual([0, a.length, a.length + b.length]);
  });

  it('rejects a declared length above the limit from the header alone, before the body arrives', () => {
    const f = new TtlvFramer({ maxMessageSize: 1024 });
    const header = Buffer.from('42007801fffffff8', 'hex');
    let err: unknown;
    try {
      f.push(header, () => undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TtlvDecodeError);
    expect((err as TtlvDecodeError).problem).toBe('too-large');
    expect(f.pendingBytes).toBe(0);
    // The framer stays failed: the stream cannot be re-synchronised.
    expect(() => f.push(a, () => undefined)).toThrow(TtlvDecodeError);
  });

  it('rejects the default 1 MiB + 8 message and accepts exactly 1 MiB', () => {
    const over = Buffer.alloc(8);
    over.writeUIntBE(Tag.RequestMessage, 0, 3);
    over[3] = 1;
    over.writeUInt32BE(1024 * 1024, 4);
    expect(() => new TtlvFramer().push(over, () => undefined)).toThrow(/exceeds the limit/);
    const exact = Buffer.from(over);
    exact.writeUInt32BE(1024 * 1024 - 8, 4);
    const f = new TtlvFramer();
    f.push(exact, () => undefined);
    expect(f.pendingBytes).toBe(8);
  });

  it('rejects a message whose top item is not a Structure or whose length is not a multiple of 8', () => {
    expect(() => new TtlvFramer().push(Buffer.from('4200780200000004', 'hex'), () => undefined)).toThrow(/not Structure/);
    expect(() => new TtlvFramer().push(Buffer.from('4200780100000004', 'hex'), () => undefined)).toThrow(/multiple of 8/);
  });

  it('never holds more than it was given, whatever the declared sizes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const f = new TtlvFramer({ maxMessageSize: 4096 });
        let given = 0;
        try {
          for (const c of chunks) {
            given += c.length;
            f.push(Buffer.from(c), () => undefined);
            expect(f.pendingBytes).toBeLessThanOrEqual(given);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(TtlvDecodeError);
        }
      }),
    );
  });
});
