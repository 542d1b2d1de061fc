import { TtlvEncodeError } from './errors.js';
import type { TtlvItem } from './types.js';
import { ItemType } from './types.js';

/**
 * TTLV encoder. Two passes over the tree: `encodedLength` sizes it so one Buffer is allocated,
 * then `writeItem` fills it, back-patching each Structure's length once its children are written
 * (so text is converted to UTF-8 only once, by `Buffer.write`). No closures, no concatenation.
 */
export function encodeTtlv(item: TtlvItem): Buffer {
  const size = encodedLength(item);
  const buf = Buffer.allocUnsafe(size);
  const end = writeItem(buf, 0, item);
  if (end !== size) throw new TtlvEncodeError(item.tag, `size mismatch: measured ${size}, wrote ${end}`);
  return buf;
}

// Not `(n + 7) & ~7`: lengths are uint32 and bitwise operators would wrap them negative.
const pad8 = (n: number): number => n + ((8 - (n % 8)) % 8);

/** Bytes the item takes on the wire, header and padding included. */
export function encodedLength(item: TtlvItem): number {
  switch (item.type) {
    case ItemType.Structure: {
      let n = 8;
      const children = item.value;
      for (let i = 0; i < children.length; i++) n += encodedLength(children[i]!);
      return n;
    }
    case ItemType.Integer:
    case ItemType.Enumeration:
    case ItemType.Interval:
    case ItemType.LongInteger:
    case ItemType.Boolean:
    case ItemType.DateTime:
    case ItemType.DateTimeExtended:
      return 16;
    case ItemType.BigInteger:
      return 8 + bigIntegerLength(item.value);
    case ItemType.TextString:
      return 8 + pad8(utf8Length(item.value));
    case ItemType.ByteString:
      return 8 + pad8(item.value.length);
    default:
      throw new TtlvEncodeError((item as TtlvItem).tag, `unknown item type ${String((item as { type: unknown }).type)}`);
  }
}

function writeHeader(buf: Buffer, pos: number, tag: number, type: number, length: number): void {
  buf[pos] = (tag >>> 16) & 0xff;
  buf[pos + 1] = (tag >>> 8) & 0xff;
  buf[pos + 2] = tag & 0xff;
  buf[pos + 3] = type;
  buf.writeUInt32BE(length, pos + 4);
}

function zero(buf: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i++) buf[i] = 0;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function checkTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) throw new TtlvEncodeError(tag, 'tag is not a 3-byte number');
}

/** Writes one item at `pos`; returns the position after it. */
export function writeItem(buf: Buffer, pos: number, item: TtlvItem): number {
  const tag = item.tag;
  checkTag(tag);
  switch (item.type) {
    case ItemType.Structure: {
      let p = pos + 8;
      const children = item.value;
      for (let i = 0; i < children.length; i++) p = writeItem(buf, p, children[i]!);
      writeHeader(buf, pos, tag, ItemType.Structure, p - pos - 8);
      return p;
    }
    case ItemType.Integer: {
      const v = item.value;
      if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) throw new TtlvEncodeError(tag, 'Integer out of int32 range');
      writeHeader(buf, pos, tag, ItemType.Integer, 4);
      buf.writeInt32BE(v, pos + 8);
      zero(buf, pos + 12, pos + 16);
      return pos + 16;
    }
    case ItemType.Enumeration:
    case ItemType.Interval: {
      const v = item.value;
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new TtlvEncodeError(tag, 'value out of uint32 range');
      writeHeader(buf, pos, tag, item.type, 4);
      buf.writeUInt32BE(v, pos + 8);
      zero(buf, pos + 12, pos + 16);
      return pos + 16;
    }
    case ItemType.LongInteger:
    case ItemType.DateTime:
    case ItemType.DateTimeExtended: {
      const v = item.value;
      if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) throw new TtlvEncodeError(tag, 'value out of int64 range');
      writeHeader(buf, pos, tag, item.type, 8);
      buf.writeBigInt64BE(v, pos + 8);
      return pos + 16;
    }
    case ItemType.Boolean: {
      writeHeader(buf, pos, tag, ItemType.Boolean, 8);
      zero(buf, pos + 8, pos + 15);
      buf[pos + 15] = item.value ? 1 : 0;
      return pos + 16;
    }
    case ItemType.TextString: {
      const n = writeText(buf, pos + 8, item.value);
      writeHeader(buf, pos, tag, ItemType.TextString, n);
      const end = pos + 8 + pad8(n);
      zero(buf, pos + 8 + n, end);
      return end;
    }
    case ItemType.ByteString: {
      const v = item.value;
      if (v.length <= 64) {
        // Short values (keys, IVs, tags): a plain loop beats TypedArray.set's call overhead.
        for (let i = 0; i < v.length; i++) buf[pos + 8 + i] = v[i]!;
      } else {
        buf.set(v, pos + 8);
      }
      writeHeader(buf, pos, tag, ItemType.ByteString, v.length);
      const end = pos + 8 + pad8(v.length);
      zero(buf, pos + 8 + v.length, end);
      return end;
    }
    case ItemType.BigInteger: {
      const len = bigIntegerLength(item.value);
      writeHeader(buf, pos, tag, ItemType.BigInteger, len);
      writeBigInteger(buf, pos + 8, len, item.value);
      return pos + 8 + len;
    }
    default:
      throw new TtlvEncodeError(tag, `unknown item type ${String((item as { type: unknown }).type)}`);
  }
}

/**
 * Bytes of a Big Integer's value: the minimal two's complement form, sign-extended to a multiple
 * of 8 (the spec counts the sign-extension bytes in the length). Zero takes 8 bytes.
 */
export function bigIntegerLength(v: bigint): number {
  // Bits needed for the magnitude plus a sign bit.
  const mag = v < 0n ? -v - 1n : v;
  const bits = mag === 0n ? 1 : mag.toString(2).length + 1;
  return Math.max(8, pad8(Math.ceil(bits / 8)));
}

function writeBigInteger(buf: Buffer, pos: number, len: number, v: bigint): void {
  // Two's complement of v in `len` bytes, written from the least significant byte up.
  let x = v < 0n ? (1n << BigInt(len * 8)) + v : v;
  for (let i = pos + len - 1; i >= pos; i--) {
    buf[i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

/** UTF-8 length; pure-ASCII strings (identifiers, names) are counted without calling into C++. */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > 128) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return n;
}

/** Writes `s` as UTF-8 at `pos`; returns the byte count. Short ASCII is copied byte by byte. */
function writeText(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n <= 128) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      buf[pos + i] = c;
    }
    if (i === n) return n;
  }
  return buf.write(s, pos, 'utf8');
}
