import { XMLParser } from 'fast-xml-parser';
import { enumName, enumValue, maskNames, parseMask, valueSetForTag } from './names.js';
import { Tag, formatTag, tagByName, tagBySpecName, tagName } from './tags.js';
import type { TtlvItem, TtlvPrimitive } from './types.js';
import { ITEM_TYPE_NAMES, ItemType } from './types.js';

/**
 * The KMIP XML encoding (KMIP Profiles / Additional Message Encodings): one element per item,
 * named after its tag (or `<TTLV tag="0x540001">`), with `type` and `value` attributes.
 * Values the OASIS test cases leave to the run (`$NOW-3600`, `$UNIQUE_IDENTIFIER_0`, …) are
 * kept as placeholders so a runner can substitute them before encoding to TTLV.
 */

export type PrimitiveType = Exclude<ItemType, typeof ItemType.Structure>;

export interface PlaceholderItem {
  readonly tag: number;
  readonly type: PrimitiveType;
  /** The literal text, e.g. "$NOW-3600". */
  readonly placeholder: string;
}

export interface XmlStructure {
  readonly tag: number;
  readonly type: typeof ItemType.Structure;
  readonly value: XmlItem[];
}

export type XmlItem = TtlvPrimitive | PlaceholderItem | XmlStructure;

export function isPlaceholder(item: XmlItem): item is PlaceholderItem {
  return 'placeholder' in item;
}

export class KmipXmlError extends Error {
  override readonly name = 'KmipXmlError';
}

const TYPE_BY_NAME = new Map<string, ItemType>(
  Object.entries(ITEM_TYPE_NAMES).map(([k, v]) => [v, Number(k) as ItemType]),
);

const PLACEHOLDER = /^\$[A-Z][A-Z0-9_]*([+-]\d+)?$/;

interface XmlNode {
  [name: string]: XmlNode[] | Record<string, string> | undefined;
}

export interface XmlParseOptions {
  /** Treat values like `$NOW` and `$UNIQUE_IDENTIFIER_0` as placeholders (default true). */
  readonly placeholders?: boolean;
}

/**
 * Parses a KMIP XML document. A `<KMIP>` root (as in the OASIS test-case files) yields its
 * children in order; any other root yields itself.
 */
export function parseKmipXml(xml: string, options?: XmlParseOptions): XmlItem[] {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    processEntities: true,
  });
  const roots = parser.parse(xml) as XmlNode[];
  const conv = new Converter(options?.placeholders ?? true);
  const out: XmlItem[] = [];
  for (const node of roots) {
    const name = elementName(node);
    if (name === undefined || name === '?xml') continue;
    if (name === 'KMIP') {
      for (const child of node[name] as XmlNode[]) {
        if (elementName(child) !== undefined) out.push(conv.element(child, undefined));
      }
    } else {
      out.push(conv.element(node, undefined));
    }
  }
  return out;
}

function elementName(node: XmlNode): string | undefined {
  for (const k of Object.keys(node)) if (k !== ':@' && k !== '#text' && k !== '#comment') return k;
  return undefined;
}

class Converter {
  constructor(private readonly placeholders: boolean) {}

  /** `valueTag`: for an AttributeValue, the tag named by its sibling AttributeName (names enums and masks). */
  element(node: XmlNode, valueTag: number | undefined): XmlItem {
    const name = elementName(node)!;
    const attrs = (node[':@'] ?? {}) as Record<string, string>;
    const tag = this.tagOf(name, attrs);
    const typeName = attrs.type;
    if (typeName === undefined || typeName === 'Structure') {
      const children: XmlItem[] = [];
      let attrTag: number | undefined;
      for (const child of node[name] as XmlNode[]) {
        if (elementName(child) === undefined) continue;
        const item = this.element(child, tag === Tag.Attribute && isAttributeValue(child) ? attrTag : undefined);
        if (tag === Tag.Attribute && item.tag === Tag.AttributeName && item.type === ItemType.TextString && !isPlaceholder(item)) {
          attrTag = tagBySpecName(item.value)?.tag;
        }
        children.push(item);
      }
      return { tag, type: ItemType.Structure, value: children };
    }
    const type = TYPE_BY_NAME.get(typeName);
    if (type === undefined) throw new KmipXmlError(`<${name}>: unknown type "${typeName}"`);
    const value = attrs.value;
    if (value === undefined) throw new KmipXmlError(`<${name}>: ${typeName} without a value attribute`);
    const pType = type as PrimitiveType;
    if (this.placeholders && PLACEHOLDER.test(value)) return { tag, type: pType, placeholder: value };
    return parsePrimitive(name, tag, pType, value, valueTag ?? tag);
  }

  private tagOf(name: string, attrs: Record<string, string>): number {
    if (name === 'TTLV') {
      const t = attrs.tag;
      if (t === undefined || !/^0x[0-9a-fA-F]{6}$/.test(t)) throw new KmipXmlError(`<TTLV> needs a tag="0xNNNNNN" attribute`);
      return Number.parseInt(t.slice(2), 16);
    }
    if (/^0x[0-9a-fA-F]{6}$/.test(name)) return Number.parseInt(name.slice(2), 16);
    const info = tagByName(name);
    if (!info) throw new KmipXmlError(`unknown tag name <${name}>`);
    return info.tag;
  }
}

function isAttributeValue(node: XmlNode): boolean {
  return elementName(node) === 'AttributeValue';
}

const HEX = /^(0x)?([0-9a-fA-F]*)$/;

function parsePrimitive(el: string, tag: number, type: PrimitiveType, value: string, nameTag: number): TtlvPrimitive {
  const bad = (what: string): never => {
    throw new KmipXmlError(`<${el}>: ${what}: ${JSON.stringify(value)}`);
  };
  switch (type) {
    case ItemType.Integer: {
      const set = valueSetForTag(nameTag);
      let v: number | undefined;
      if (/^-?\d+$/.test(value)) v = Number(value);
      else if (/^0x[0-9a-fA-F]{1,8}$/.test(value)) v = Number.parseInt(value.slice(2), 16) | 0;
      else if (set?.isMask) v = parseMask(set, value);
      if (v === undefined || v < -0x80000000 || v > 0xffffffff) return bad('not an Integer');
      return { tag, type, value: v | 0 };
    }
    case ItemType.Enumeration: {
      const v = enumValue(nameTag, value);
      if (v === undefined) return bad(`not a known ${tagName(nameTag)} value`);
      return { tag, type, value: v >>> 0 };
    }
    case ItemType.Interval: {
      const v = /^\d+$/.test(value) ? Number(value) : /^0x[0-9a-fA-F]{1,8}$/.test(value) ? Number.parseInt(value.slice(2), 16) : NaN;
      if (!(v >= 0 && v <= 0xffffffff)) return bad('not an Interval');
      return { tag, type, value: v };
    }
    case ItemType.LongInteger: {
      if (!/^-?\d+$/.test(value) && !/^0x[0-9a-fA-F]{1,16}$/.test(value)) return bad('not a LongInteger');
      return { tag, type, value: BigInt.asIntN(64, BigInt(value)) };
    }
    case ItemType.BigInteger: {
      const m = HEX.exec(value);
      if (!m || m[2]!.length === 0) return bad('not a hex BigInteger');
      const hex = m[2]!;
      const unsigned = BigInt(`0x${hex}`);
      const bits = BigInt(hex.length * 4);
      return { tag, type, value: Number.parseInt(hex[0]!, 16) >= 8 ? unsigned - (1n << bits) : unsigned };
    }
    case ItemType.Boolean:
      if (value === 'true' || value === '1') return { tag, type, value: true };
      if (value === 'false' || value === '0') return { tag, type, value: false };
      return bad('not a Boolean');
    case ItemType.TextString:
      return { tag, type, value };
    case ItemType.ByteString: {
      const m = HEX.exec(value);
      if (!m || m[2]!.length % 2 !== 0) return bad('not a hex ByteString');
      return { tag, type, value: Buffer.from(m[2]!, 'hex') };
    }
    case ItemType.DateTime: {
      if (/^0x[0-9a-fA-F]{1,16}$/.test(value)) return { tag, type, value: BigInt.asIntN(64, BigInt(value)) };
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) return bad('not a DateTime');
      return { tag, type, value: BigInt(Math.floor(ms / 1000)) };
    }
    case ItemType.DateTimeExtended: {
      if (/^0x[0-9a-fA-F]{1,16}$/.test(value)) return { tag, type, value: BigInt.asIntN(64, BigInt(value)) };
      const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(.*)$/.exec(value);
      const ms = m ? Date.parse(m[1]! + m[3]!) : NaN;
      if (!m || Number.isNaN(ms)) return bad('not a DateTimeExtended');
      const micros = BigInt((m[2] ?? '').padEnd(6, '0'));
      return { tag, type, value: BigInt(ms) * 1000n + micros };
    }
    default:
      return bad('unknown type');
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface XmlWriteOptions {
  /** Indent per level; default two spaces. Empty string writes one line. */
  readonly indent?: string;
}

/** Writes items (messages) in the KMIP XML encoding; several items are wrapped in `<KMIP>`. */
export function toKmipXml(items: XmlItem | TtlvItem | ReadonlyArray<XmlItem | TtlvItem>, options?: XmlWriteOptions): string {
  const indent = options?.indent ?? '  ';
  const nl = indent === '' ? '' : '\n';
  const out: string[] = [];
  if (Array.isArray(items)) {
    out.push(`<KMIP>${nl}`);
    for (const it of items as ReadonlyArray<XmlItem>) writeElement(out, it, indent, 1, nl, undefined);
    out.push(`</KMIP>${nl}`);
  } else {
    writeElement(out, items as XmlItem, indent, 0, nl, undefined);
  }
  return out.join('');
}

function writeElement(out: string[], item: XmlItem, indent: string, depth: number, nl: string, nameTag: number | undefined): void {
  const pad = indent.repeat(depth);
  const known = tagName(item.tag);
  const open = known.startsWith('0x') ? `TTLV tag="${formatTag(item.tag)}"` : known;
  const close = known.startsWith('0x') ? 'TTLV' : known;
  if (item.type === ItemType.Structure) {
    if (item.value.length === 0) {
      out.push(`${pad}<${open}/>${nl}`);
      return;
    }
    out.push(`${pad}<${open}>${nl}`);
    let attrTag: number | undefined;
    for (const child of item.value) {
      const ctx = item.tag === Tag.Attribute && child.tag === Tag.AttributeValue ? attrTag : undefined;
      writeElement(out, child, indent, depth + 1, nl, ctx);
      if (item.tag === Tag.Attribute && child.tag === Tag.AttributeName && child.type === ItemType.TextString && !isPlaceholder(child)) {
        attrTag = tagBySpecName(child.value)?.tag;
      }
    }
    out.push(`${pad}</${close}>${nl}`);
    return;
  }
  const value = isPlaceholder(item) ? item.placeholder : formatPrimitive(item, nameTag ?? item.tag);
  out.push(`${pad}<${open} type="${ITEM_TYPE_NAMES[item.type]}" value="${escapeAttr(value)}"/>${nl}`);
}

/** The XML `value` attribute text of a primitive item. */
export function formatPrimitive(item: TtlvPrimitive, nameTag: number = item.tag): string {
  switch (item.type) {
    case ItemType.Integer: {
      const set = valueSetForTag(nameTag);
      if (set?.isMask && item.value !== 0) return maskNames(set, item.value).join(' ');
      return String(item.value);
    }
    case ItemType.Enumeration:
      return enumName(nameTag, item.value) ?? `0x${item.value.toString(16).padStart(8, '0')}`;
    case ItemType.Interval:
    case ItemType.LongInteger:
      return String(item.value);
    case ItemType.BigInteger:
      return bigIntegerHex(item.value);
    case ItemType.Boolean:
      return item.value ? 'true' : 'false';
    case ItemType.TextString:
      return item.value;
    case ItemType.ByteString:
      return Buffer.from(item.value.buffer, item.value.byteOffset, item.value.byteLength).toString('hex');
    case ItemType.DateTime:
      return formatDateTime(item.value);
    case ItemType.DateTimeExtended: {
      const us = item.value;
      const secs = us / 1000000n - (us % 1000000n < 0n ? 1n : 0n);
      const frac = us - secs * 1000000n;
      const base = formatDateTime(secs);
      if (base.startsWith('0x')) return `0x${BigInt.asUintN(64, us).toString(16).padStart(16, '0')}`;
      return `${base.slice(0, 19)}.${frac.toString().padStart(6, '0')}${base.slice(19)}`;
    }
  }
}

const MAX_DATE_SECONDS = 8_640_000_000_000n;

function formatDateTime(secs: bigint): string {
  if (secs > MAX_DATE_SECONDS || secs < -MAX_DATE_SECONDS) return `0x${BigInt.asUintN(64, secs).toString(16).padStart(16, '0')}`;
  const iso = new Date(Number(secs) * 1000).toISOString();
  return `${iso.slice(0, 19)}+00:00`;
}

function bigIntegerHex(v: bigint): string {
  let len = 8;
  while (v >= 1n << BigInt(len * 8 - 1) || v < -(1n << BigInt(len * 8 - 1))) len += 8;
  return BigInt.asUintN(len * 8, v).toString(16).padStart(len * 2, '0');
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"\n\r\t]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Replaces every placeholder with what `resolve` returns (which must keep tag and type). */
export function resolvePlaceholders(item: XmlItem, resolve: (p: PlaceholderItem) => TtlvPrimitive): TtlvItem {
  if (isPlaceholder(item)) return resolve(item);
  if (item.type !== ItemType.Structure) return item;
  return { tag: item.tag, type: ItemType.Structure, value: item.value.map((c) => resolvePlaceholders(c, resolve)) };
}

/** Whether a tree still holds placeholders. */
export function hasPlaceholders(item: XmlItem): boolean {
  if (isPlaceholder(item)) return true;
  return item.type === ItemType.Structure && item.value.some(hasPlaceholders);
}
