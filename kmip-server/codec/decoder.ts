import { isUtf8 } from 'node:buffer';
import { TtlvDecodeError } from './errors.js';
import type { TtlvItem } from './types.js';
import { ItemType } from './types.js';

export interface DecodeOptions {
  /** Deepest Structure nesting accepted (KMIP messages nest about 10 deep). Default 32. */
  readonly maxDepth?: number;
  /** Copy ByteString values out of the input (default) instead of returning views into it. */
  readonly copyBytes?: boolean;
  /** Offset of `buf` in its stream, added to error offsets. Default 0. */
  readonly baseOffset?: number;
}

interface Ctx {
  readonly buf: Buffer;
  readonly maxDepth: number;
  readonly copy: boolean;
  readonly base: number;
}

/**
 * Strict TTLV decoder: the buffer must hold exactly one item. Every length is checked against
 * its type and its parent before anything is read, padding must be zero, text must be UTF-8,
 * and the only error ever thrown is TtlvDecodeError.
 */
export function decodeTtlv(buf: Buffer, options?: DecodeOptions): TtlvItem {
  const ctx: Ctx = {
    buf,
    maxDepth: options?.maxDepth ?? 32,
    copy: options?.copyBytes ?? true,
    base: options?.baseOffset ?? 0,
  };
  const item = decodeItem(ctx, 0, buf.length, 0);
  const end = 8 + pad8(buf.readUInt32BE(4));
  if (end !== buf.length) {
    throw new TtlvDecodeError('trailing-bytes', ctx.base + end, undefined, `${buf.length - end} bytes after the item`);
  }
  return item;
}

// Not `(n + 7) & ~7`: lengths are uint32 and bitwise operators would wrap them negative.
const pad8 = (n: number): number => n + ((8 - (n % 8)) % 8);

function fail(ctx: Ctx, problem: TtlvDecodeError['problem'], pos: number, tag: number | undefined, detail: string): never {
  throw new TtlvDecodeError(problem, ctx.base + pos, tag, detail);
}

function checkZero(ctx: Ctx, pos: number, from: number, to: number, tag: number): void {
  const buf = ctx.buf;
  for (let i = from; i < to; i++) if (buf[i] !== 0) fail(ctx, 'bad-padding', pos, tag, 'non-zero padding byte');
}

/** Reads the header at `pos` (which must end by `end`) and the value it announces. */
function decodeItem(ctx: Ctx, pos: number, end: number, depth: number): TtlvItem {
  const buf = ctx.buf;
  if (end - pos < 8) fail(ctx, depth === 0 ? 'truncated' : 'bad-length', pos, undefined, `need an 8-byte header, ${end - pos} bytes left`);
  const b0 = buf[pos]!;
  const tag = (b0 << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
  if (b0 !== 0x42 && b0 !== 0x54) fail(ctx, 'bad-tag', pos, tag, 'tags start with 0x42 or 0x54');
  const type = buf[pos + 3]!;
  const len = buf.readUInt32BE(pos + 4);
  const v = pos + 8;
  const padded = pad8(len);
  if (padded > end - v) {
    fail(ctx, depth === 0 ? 'truncated' : 'bad-length', pos, tag, `length ${len} runs past the end (${end - v} bytes left)`);
  }
  switch (type) {
    case ItemType.Structure: {
      if (len % 8 !== 0) fail(ctx, 'bad-length', pos, tag, `Structure length ${len} is not a multiple of 8`);
      if (depth >= ctx.maxDepth) fail(ctx, 'too-deep', pos, tag, `nesting deeper than ${ctx.maxDepth}`);
      const children: TtlvItem[] = [];
      const stop = v + len;
      let p = v;
      while (p < stop) {
        children.push(decodeItem(ctx, p, stop, depth + 1));
        p += 8 + pad8(buf.readUInt32BE(p + 4));
      }
      return { tag, type: ItemType.Structure, value: children };
    }
    case ItemType.Integer:
      if (len !== 4) fail(ctx, 'bad-length', pos, tag, `Integer length ${len}, expected 4`);
      checkZero(ctx, pos, v + 4, v + 8, tag);
      return { tag, type: ItemType.Integer, value: buf.readInt32BE(v) };
    case ItemType.Enumeration:
      if (len !== 4) fail(ctx, 'bad-length', pos, tag, `Enumeration length ${len}, expected 4`);
      checkZero(ctx, pos, v + 4, v + 8, tag);
      return { tag, type: ItemType.Enumeration, value: buf.readUInt32BE(v) };
    case ItemType.Interval:
      if (len !== 4) fail(ctx, 'bad-length', pos, tag, `Interval length ${len}, expected 4`);
      checkZero(ctx, pos, v + 4, v + 8, tag);
      return { tag, type: ItemType.Interval, value: buf.readUInt32BE(v) };
    case ItemType.LongInteger:
      if (len !== 8) fail(ctx, 'bad-length', pos, tag, `LongInteger length ${len}, expected 8`);
      return { tag, type: ItemType.LongInteger, value: buf.readBigInt64BE(v) };
    case ItemType.DateTime:
      if (len !== 8) fail(ctx, 'bad-length', pos, tag, `DateTime length ${len}, expected 8`);
      return { tag, type: ItemType.DateTime, value: buf.readBigInt64BE(v) };
    case ItemType.DateTimeExtended:
      if (len !== 8) fail(ctx, 'bad-length', pos, tag, `DateTimeExtended length ${len}, expected 8`);
      return { tag, type: ItemType.DateTimeExtended, value: buf.readBigInt64BE(v) };
    case ItemType.Boolean: {
      if (len !== 8) fail(ctx, 'bad-length', pos, tag, `Boolean length ${len}, expected 8`);
      checkZero(ctx, pos, v, v + 7, tag);
      const last = buf[v + 7]!;
      if (last > 1) fail(ctx, 'bad-value', pos, tag, 'Boolean is neither 0 nor 1');
      return { tag, type: ItemType.Boolean, value: last === 1 };
    }
    case ItemType.TextString: {
      checkZero(ctx, pos, v + len, v + padded, tag);
      return { tag, type: ItemType.TextString, value: readText(ctx, pos, v, len, tag) };
    }
    case ItemType.ByteString: {
      checkZero(ctx, pos, v + len, v + padded, tag);
      const raw = buf.subarray(v, v + len);
      return { tag, type: ItemType.ByteString, value: ctx.copy ? Buffer.from(raw) : raw };
    }
    case ItemType.BigInteger: {
      if (len === 0 || len % 8 !== 0) fail(ctx, 'bad-length', pos, tag, `BigInteger length ${len} is not a positive multiple of 8`);
      return { tag, type: ItemType.BigInteger, value: readBigInteger(buf, v, len) };
    }
    default:
      return fail(ctx, 'bad-type', pos, tag, `unknown item type 0x${type.toString(16).padStart(2, '0')}`);
  }
}

function readBigInteger(buf: Buffer, from: number, len: number): bigint {
  const unsigned = BigInt(`0x${buf.toString('hex', from, from + len)}`);
  return (buf[from]! & 0x80) !== 0 ? unsigned - (1n << BigInt(len * 8)) : unsigned;
}

/**
 * Reads only the first 8 bytes: tag, type and declared length of an item. Used by the framer
 * to size a message before it has arrived.
 */
export function readHeader(buf: Buffer, pos: number): { tag: number; type: number; length: number } {
  return {
    tag: (buf[pos]! << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!,
    type: buf[pos + 3]!,
    length: buf.readUInt32BE(pos + 4),
  };
}

/** Short pure-ASCII text (the usual identifiers and names) skips the UTF-8 validator. */
function readText(ctx: Ctx, pos: number, from: number, len: number, tag: number): string {
  const buf = ctx.buf;
  if (len <= 128) {
    let ascii = true;
    for (let i = from; i < from + len; i++) {
      if (buf[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return buf.toString('latin1', from, from + len);
  }
  const raw = buf.subarray(from, from + len);
  if (!isUtf8(raw)) fail(ctx, 'bad-value', pos, tag, 'TextString is not valid UTF-8');
  return raw.toString('utf8');
}
