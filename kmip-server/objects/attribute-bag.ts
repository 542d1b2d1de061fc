import { attributeName, attributeTag, isCustomAttributeName } from '../codec/attributes.js';
import { decodeTtlv } from '../codec/decoder.js';
import { encodeTtlv } from '../codec/encoder.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';

/**
 * A managed object's attributes, by 1.x attribute name ("Cryptographic Length", "x-Barcode"),
 * each with its instances in index order. Values carry the attribute's own tag (2.x style);
 * custom attributes, which have no tag of their own, carry the AttributeValue tag.
 *
 * This is the one in-memory truth about an object's attributes: the store keeps them encoded
 * as TTLV (so every KMIP type round-trips exactly) beside typed copies for queries and humans.
 */
export class AttributeBag {
  private readonly map = new Map<string, TtlvItem[]>();

  static from(entries: Iterable<readonly [string, TtlvItem]>): AttributeBag {
    const bag = new AttributeBag();
    for (const [name, value] of entries) bag.add(name, value);
    return bag;
  }

  /** Tag of an attribute value: its own for standard attributes, AttributeValue for custom ones. */
  static valueTag(name: string): number {
    return attributeTag(name) ?? Tag.AttributeValue;
  }

  has(name: string): boolean {
    return (this.map.get(name)?.length ?? 0) > 0;
  }

  first(name: string): TtlvItem | undefined {
    return this.map.get(name)?.[0];
  }

  all(name: string): readonly TtlvItem[] {
    return this.map.get(name) ?? [];
  }

  names(): string[] {
    return [...this.map.keys()].filter((n) => this.has(n));
  }

  /** Appends an instance; returns its index. */
  add(name: string, value: TtlvItem): number {
    const v = retag(value, AttributeBag.valueTag(name));
    const list = this.map.get(name);
    if (list) {
      list.push(v);
      return list.length - 1;
    }
    this.map.set(name, [v]);
    return 0;
  }

  /** Replaces instance `index` (default 0), or sets the only instance. */
  set(name: string, value: TtlvItem, index = 0): void {
    const v = retag(value, AttributeBag.valueTag(name));
    const list = this.map.get(name);
    if (!list || list.length === 0) {
      this.map.set(name, [v]);
      return;
    }
    if (index < 0 || index >= list.length) throw new RangeError('attribute index out of range');
    list[index] = v;
  }

  /** Removes instance `index`, or every instance when undefined; returns what was removed. */
  delete(name: string, index?: number): TtlvItem[] {
    const list = this.map.get(name);
    if (!list) return [];
    if (index === undefined) {
      this.map.delete(name);
      return list;
    }
    if (index < 0 || index >= list.length) return [];
    const [removed] = list.splice(index, 1);
    if (list.length === 0) this.map.delete(name);
    return removed ? [removed] : [];
  }

  clone(): AttributeBag {
    const bag = new AttributeBag();
    for (const [name, list] of this.map) bag.map.set(name, [...list]);
    return bag;
  }

  entries(): Array<[string, readonly TtlvItem[]]> {
    return [...this.map.entries()].filter(([, l]) => l.length > 0);
  }

  /** For the store: each instance as its TTLV encoding. */
  toStored(): StoredAttribute[] {
    const out: StoredAttribute[] = [];
    for (const [name, list] of this.map) for (const value of list) out.push({ n: name, v: encodeTtlv(value) });
    return out;
  }

  static fromStored(stored: readonly StoredAttribute[]): AttributeBag {
    const bag = new AttributeBag();
    for (const s of stored) bag.add(s.n, decodeTtlv(Buffer.from(s.v.buffer, s.v.byteOffset, s.v.byteLength)));
    return bag;
  }
}

/** One attribute instance at rest: name and TTLV-encoded value. */
export interface StoredAttribute {
  n: string;
  v: Uint8Array;
}

function retag(item: TtlvItem, tag: number): TtlvItem {
  return item.tag === tag ? item : ({ ...item, tag } as TtlvItem);
}

/** True for names OpenKCM accepts as attributes: standard 1.x names and custom (x-/y-) names. */
export function isKnownAttributeName(name: string): boolean {
  return attributeTag(name) !== undefined || isCustomAttributeName(name);
}

/** The 1.x name of a 2.x attribute tag, or undefined. */
export function nameOfTag(tag: number): string | undefined {
  return attributeName(tag);
}
