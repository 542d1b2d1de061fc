import { attributeName, attributeTag } from '../codec/attributes.js';
import { Tag, tagName } from '../codec/tags.js';
import type { TtlvItem, TtlvStructure } from '../codec/types.js';
import { int, struct, text } from '../codec/types.js';
import type { VersionCode } from '../codec/version.js';
import { V2_0 } from '../codec/version.js';
import { invalidField } from './errors.js';
import type { Fields } from './payload.js';

/**
 * One attribute, independent of how the client's version writes it. `value` carries the
 * attribute's own tag (as in 2.x `Attributes`), e.g. a CryptographicAlgorithm Enumeration; for
 * custom 1.x attributes (no tag of their own) it keeps the AttributeValue tag.
 */
export interface KmipAttribute {
  /** 1.x name: "Cryptographic Algorithm", or "x-Purpose" for custom attributes. */
  readonly name: string;
  readonly tag: number | undefined;
  /** 1.x Attribute Index, when given. */
  readonly index?: number;
  readonly value: TtlvItem;
}

function retag(item: TtlvItem, tag: number): TtlvItem {
  return { ...item, tag } as TtlvItem;
}

/** Reads one 1.x `Attribute{AttributeName, AttributeIndex?, AttributeValue}`. */
export function readAttribute1x(attr: Fields): KmipAttribute {
  const name = attr.text(Tag.AttributeName);
  const index = attr.intOpt(Tag.AttributeIndex);
  const raw = attr.first(Tag.AttributeValue);
  const tag = attributeTag(name);
  if (raw === undefined) {
    // GetAttributes requests and DeleteAttribute may name an attribute without a value.
    return { name, tag, index, value: struct(tag ?? Tag.AttributeValue, []) };
  }
  return { name, tag, index, value: tag === undefined ? raw : retag(raw, tag) };
}

/** Builds a 1.x `Attribute` structure. */
export function attribute1x(a: KmipAttribute): TtlvStructure {
  const v: TtlvItem[] = [text(Tag.AttributeName, a.name)];
  if (a.index !== undefined) v.push(int(Tag.AttributeIndex, a.index));
  v.push(retag(a.value, Tag.AttributeValue));
  return struct(Tag.Attribute, v);
}

/** Makes a KmipAttribute from a tagged value (2.x style), naming it for 1.x. */
export function attributeOf(value: TtlvItem, index?: number): KmipAttribute {
  const name = attributeName(value.tag);
  return { name: name ?? tagName(value.tag), tag: value.tag, index, value };
}

/**
 * Reads the attributes a request carries, whatever the version: 1.x `TemplateAttribute`
 * (or Common/Private/Public variants) holding `Attribute` structures, and 2.x `Attributes`
 * holding the attribute items themselves. `containerTags` says which containers to read.
 */
export function readAttributes(payload: Fields, containerTags: readonly number[] = [Tag.TemplateAttribute, Tag.Attributes]): KmipAttribute[] {
  const out: KmipAttribute[] = [];
  for (const ct of containerTags) {
    for (const c of payload.structs(ct)) {
      if (ct === Tag.Attributes) {
        for (const item of c.children) out.push(attributeOf(item));
      } else {
        for (const a of c.structs(Tag.Attribute)) out.push(readAttribute1x(a));
        if (c.has(Tag.Name) && ct !== Tag.Attributes) {
          // A 1.x TemplateAttribute may name Templates; OpenKCM has none.
          throw invalidField(`${c.path}: Template references are not supported`);
        }
      }
    }
  }
  // Attributes given directly in a payload as 1.x `Attribute` items (Locate, AddAttribute…).
  if (containerTags.includes(Tag.Attribute)) for (const a of payload.structs(Tag.Attribute)) out.push(readAttribute1x(a));
  return out;
}

/**
 * Writes attributes the way `version` expects: 1.x → a container (`TemplateAttribute` by
 * default) of `Attribute` name/value pairs; 2.x → an `Attributes` structure of tagged values.
 */
export function writeAttributes(attrs: readonly KmipAttribute[], version: VersionCode, container1x: number = Tag.TemplateAttribute): TtlvStructure {
  if (version >= V2_0) {
    return struct(
      Tag.Attributes,
      attrs.filter((a) => a.tag !== undefined).map((a) => a.value),
    );
  }
  return struct(container1x, attrs.map(attribute1x));
}

/** Finds the first attribute with the given tag. */
export function findAttribute(attrs: readonly KmipAttribute[], tag: number): KmipAttribute | undefined {
  return attrs.find((a) => a.tag === tag);
}

/** The value of a tagged attribute if it is of `type`, else an Invalid Field error. */
export function attributeValue<T extends TtlvItem['type']>(attrs: readonly KmipAttribute[], tag: number, type: T): Extract<TtlvItem, { type: T }> | undefined {
  const a = findAttribute(attrs, tag);
  if (!a) return undefined;
  if (a.value.type !== type) throw invalidField(`attribute ${a.name} has the wrong type`);
  return a.value as Extract<TtlvItem, { type: T }>;
}

