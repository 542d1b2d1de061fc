import { enumName } from '../codec/names.js';
import { Tag, tagName } from '../codec/tags.js';
import type {
  TtlvBoolean,
  TtlvByteString,
  TtlvDateTime,
  TtlvEnumeration,
  TtlvInteger,
  TtlvInterval,
  TtlvItem,
  TtlvLongInteger,
  TtlvStructure,
  TtlvTextString,
} from '../codec/types.js';
import { ITEM_TYPE_NAMES, ItemType } from '../codec/types.js';
import { invalidField, missingData } from './errors.js';

type ByType = {
  [ItemType.Structure]: TtlvStructure;
  [ItemType.Integer]: TtlvInteger;
  [ItemType.LongInteger]: TtlvLongInteger;
  [ItemType.Enumeration]: TtlvEnumeration;
  [ItemType.Boolean]: TtlvBoolean;
  [ItemType.TextString]: TtlvTextString;
  [ItemType.ByteString]: TtlvByteString;
  [ItemType.DateTime]: TtlvDateTime;
  [ItemType.Interval]: TtlvInterval;
};

/**
 * Typed reads from a structure (a request or response payload, or any structure inside one),
 * with errors that name the path and tag: missing required fields raise Missing Data, fields of
 * the wrong type raise Invalid Field. Fields are looked up by tag, in any order.
 */
export class Fields {
  constructor(
    readonly item: TtlvStructure,
    /** Where this structure sits, for error messages: "RequestPayload/KeyBlock". */
    readonly path: string = tagName(item.tag),
  ) {}

  get children(): readonly TtlvItem[] {
    return this.item.value;
  }

  has(tag: number): boolean {
    return this.item.value.some((c) => c.tag === tag);
  }

  first(tag: number): TtlvItem | undefined {
    const v = this.item.value;
    for (let i = 0; i < v.length; i++) if (v[i]!.tag === tag) return v[i];
    return undefined;
  }

  all(tag: number): TtlvItem[] {
    return this.item.value.filter((c) => c.tag === tag);
  }

  private typed<T extends keyof ByType>(tag: number, type: T, required: boolean): ByType[T] | undefined {
    const it = this.first(tag);
    if (it === undefined) {
      if (required) throw missingData(`${this.path}: ${tagName(tag)} is required`);
      return undefined;
    }
    if (it.type !== type) {
      throw invalidField(`${this.path}: ${tagName(tag)} must be ${ITEM_TYPE_NAMES[type]}, got ${ITEM_TYPE_NAMES[it.type]}`);
    }
    return it as ByType[T];
  }

  text(tag: number): string {
    return this.typed(tag, ItemType.TextString, true)!.value;
  }
  textOpt(tag: number): string | undefined {
    return this.typed(tag, ItemType.TextString, false)?.value;
  }
  texts(tag: number): string[] {
    return this.all(tag).map((it) => {
      if (it.type !== ItemType.TextString) throw invalidField(`${this.path}: ${tagName(tag)} must be TextString`);
      return it.value;
    });
  }
  int(tag: number): number {
    return this.typed(tag, ItemType.Integer, true)!.value;
  }
  intOpt(tag: number): number | undefined {
    return this.typed(tag, ItemType.Integer, false)?.value;
  }
  long(tag: number): bigint {
    return this.typed(tag, ItemType.LongInteger, true)!.value;
  }
  longOpt(tag: number): bigint | undefined {
    return this.typed(tag, ItemType.LongInteger, false)?.value;
  }
  enum(tag: number): number {
    return this.typed(tag, ItemType.Enumeration, true)!.value;
  }
  enumOpt(tag: number): number | undefined {
    return this.typed(tag, ItemType.Enumeration, false)?.value;
  }
  enums(tag: number): number[] {
    return this.all(tag).map((it) => {
      if (it.type !== ItemType.Enumeration) throw invalidField(`${this.path}: ${tagName(tag)} must be Enumeration`);
      return it.value;
    });
  }
  /** An enumeration that must be one of `allowed`; names the value in the error. */
  enumOneOf(tag: number, allowed: readonly number[]): number {
    const v = this.enum(tag);
    if (!allowed.includes(v)) throw invalidField(`${this.path}: ${tagName(tag)} ${enumName(tag, v) ?? v} is not supported here`);
    return v;
  }
  bool(tag: number): boolean {
    return this.typed(tag, ItemType.Boolean, true)!.value;
  }
  boolOpt(tag: number): boolean | undefined {
    return this.typed(tag, ItemType.Boolean, false)?.value;
  }
  bytes(tag: number): Uint8Array {
    return this.typed(tag, ItemType.ByteString, true)!.value;
  }
  bytesOpt(tag: number): Uint8Array | undefined {
    return this.typed(tag, ItemType.ByteString, false)?.value;
  }
  dateTime(tag: number): bigint {
    return this.typed(tag, ItemType.DateTime, true)!.value;
  }
  dateTimeOpt(tag: number): bigint | undefined {
    return this.typed(tag, ItemType.DateTime, false)?.value;
  }
  interval(tag: number): number {
    return this.typed(tag, ItemType.Interval, true)!.value;
  }
  intervalOpt(tag: number): number | undefined {
    return this.typed(tag, ItemType.Interval, false)?.value;
  }
  struct(tag: number): Fields {
    const s = this.typed(tag, ItemType.Structure, true)!;
    return new Fields(s, `${this.path}/${tagName(tag)}`);
  }
  structOpt(tag: number): Fields | undefined {
    const s = this.typed(tag, ItemType.Structure, false);
    return s && new Fields(s, `${this.path}/${tagName(tag)}`);
  }
  structs(tag: number): Fields[] {
    return this.all(tag).map((it) => {
      if (it.type !== ItemType.Structure) throw invalidField(`${this.path}: ${tagName(tag)} must be Structure`);
      return new Fields(it, `${this.path}/${tagName(tag)}`);
    });
  }

  /**
   * The Unique Identifier of the payload, or, when the client left it out inside a batch, the
   * ID Placeholder set by an earlier item of the same batch.
   */
  uniqueIdentifier(idPlaceholder: string | undefined): string {
    const uid = this.textOpt(Tag.UniqueIdentifier);
    if (uid !== undefined) return uid;
    if (idPlaceholder !== undefined) return idPlaceholder;
    throw missingData(`${this.path}: UniqueIdentifier is required (no ID placeholder is set in this batch)`);
  }
}
