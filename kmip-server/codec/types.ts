/**
 * The TTLV item model. One plain object shape per item type, so V8 keeps property access
 * monomorphic on the hot path. 64-bit values are bigint so every legal value round-trips.
 */
export const ItemType = {
  Structure: 0x01,
  Integer: 0x02,
  LongInteger: 0x03,
  BigInteger: 0x04,
  Enumeration: 0x05,
  Boolean: 0x06,
  TextString: 0x07,
  ByteString: 0x08,
  DateTime: 0x09,
  Interval: 0x0a,
  DateTimeExtended: 0x0b,
} as const;
export type ItemType = (typeof ItemType)[keyof typeof ItemType];

export const ITEM_TYPE_NAMES: Readonly<Record<ItemType, string>> = {
  [ItemType.Structure]: 'Structure',
  [ItemType.Integer]: 'Integer',
  [ItemType.LongInteger]: 'LongInteger',
  [ItemType.BigInteger]: 'BigInteger',
  [ItemType.Enumeration]: 'Enumeration',
  [ItemType.Boolean]: 'Boolean',
  [ItemType.TextString]: 'TextString',
  [ItemType.ByteString]: 'ByteString',
  [ItemType.DateTime]: 'DateTime',
  [ItemType.Interval]: 'Interval',
  [ItemType.DateTimeExtended]: 'DateTimeExtended',
};

export function isItemType(n: number): n is ItemType {
  return n >= 0x01 && n <= 0x0b;
}

export interface TtlvStructure {
  readonly tag: number;
  readonly type: typeof ItemType.Structure;
  readonly value: TtlvItem[];
}
/** Signed 32-bit. */
export interface TtlvInteger {
  readonly tag: number;
  readonly type: typeof ItemType.Integer;
  readonly value: number;
}
/** Signed 64-bit. */
export interface TtlvLongInteger {
  readonly tag: number;
  readonly type: typeof ItemType.LongInteger;
  readonly value: bigint;
}
/** Arbitrary precision, two's complement on the wire. */
export interface TtlvBigInteger {
  readonly tag: number;
  readonly type: typeof ItemType.BigInteger;
  readonly value: bigint;
}
/** Unsigned 32-bit. */
export interface TtlvEnumeration {
  readonly tag: number;
  readonly type: typeof ItemType.Enumeration;
  readonly value: number;
}
export interface TtlvBoolean {
  readonly tag: number;
  readonly type: typeof ItemType.Boolean;
  readonly value: boolean;
}
export interface TtlvTextString {
  readonly tag: number;
  readonly type: typeof ItemType.TextString;
  readonly value: string;
}
export interface TtlvByteString {
  readonly tag: number;
  readonly type: typeof ItemType.ByteString;
  readonly value: Uint8Array;
}
/** Seconds since the Unix epoch, signed 64-bit. */
export interface TtlvDateTime {
  readonly tag: number;
  readonly type: typeof ItemType.DateTime;
  readonly value: bigint;
}
/** Seconds, unsigned 32-bit. */
export interface TtlvInterval {
  readonly tag: number;
  readonly type: typeof ItemType.Interval;
  readonly value: number;
}
/** Microseconds since the Unix epoch, signed 64-bit (KMIP 2.0). */
export interface TtlvDateTimeExtended {
  readonly tag: number;
  readonly type: typeof ItemType.DateTimeExtended;
  readonly value: bigint;
}

export type TtlvPrimitive =
  | TtlvInteger
  | TtlvLongInteger
  | TtlvBigInteger
  | TtlvEnumeration
  | TtlvBoolean
  | TtlvTextString
  | TtlvByteString
  | TtlvDateTime
  | TtlvInterval
  | TtlvDateTimeExtended;

export type TtlvItem = TtlvStructure | TtlvPrimitive;

// Constructors: short, allocation-only, used everywhere payloads are built.
export const struct = (tag: number, value: TtlvItem[]): TtlvStructure => ({ tag, type: ItemType.Structure, value });
export const int = (tag: number, value: number): TtlvInteger => ({ tag, type: ItemType.Integer, value });
export const long = (tag: number, value: bigint): TtlvLongInteger => ({ tag, type: ItemType.LongInteger, value });
export const bigInt = (tag: number, value: bigint): TtlvBigInteger => ({ tag, type: ItemType.BigInteger, value });
export const enumeration = (tag: number, value: number): TtlvEnumeration => ({ tag, type: ItemType.Enumeration, value });
export const bool = (tag: number, value: boolean): TtlvBoolean => ({ tag, type: ItemType.Boolean, value });
export const text = (tag: number, value: string): TtlvTextString => ({ tag, type: ItemType.TextString, value });
export const bytes = (tag: number, value: Uint8Array): TtlvByteString => ({ tag, type: ItemType.ByteString, value });
export const dateTime = (tag: number, value: bigint): TtlvDateTime => ({ tag, type: ItemType.DateTime, value });
export const interval = (tag: number, value: number): TtlvInterval => ({ tag, type: ItemType.Interval, value });
export const dateTimeExtended = (tag: number, value: bigint): TtlvDateTimeExtended => ({
  tag,
  type: ItemType.DateTimeExtended,
  value,
});

/** A DateTime item for a JS Date (whole seconds, truncated). */
export function dateTimeOf(tag: number, d: Date): TtlvDateTime {
  return dateTime(tag, BigInt(Math.floor(d.getTime() / 1000)));
}

export function toDate(item: TtlvDateTime): Date {
  return new Date(Number(item.value) * 1000);
}
