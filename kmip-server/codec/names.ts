import * as E from './enums.js';
import { ENUM_ALIASES } from './enums.js';
import { Tag, tagByName, tagInfo } from './tags.js';

/** A named set of values (enumeration or bit mask) with lookups both ways. */
export interface ValueSet {
  readonly name: string;
  readonly isMask: boolean;
  readonly byValue: ReadonlyMap<number, string>;
  readonly byName: ReadonlyMap<string, number>;
}

function valueSet(name: string, table: Readonly<Record<string, number>>, isMask: boolean): ValueSet {
  const byValue = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const [k, v] of Object.entries(table)) {
    byValue.set(v, k);
    byName.set(k, v);
  }
  return { name, isMask, byValue, byName };
}

const MASKS = new Set(['CryptographicUsageMask', 'StorageStatusMask', 'ProtectionStorageMask']);
const sets = new Map<string, ValueSet>();
for (const [name, table] of Object.entries(E)) {
  if (name === 'ENUM_ALIASES') continue;
  sets.set(name, valueSet(name, table as Record<string, number>, MASKS.has(name)));
}
for (const [setName, alias, value] of ENUM_ALIASES) {
  (sets.get(setName)?.byName as Map<string, number> | undefined)?.set(alias, value);
}

// Which value set a tag's Enumeration (or mask Integer) draws from. By default the set that
// shares the tag's name; the exceptions are listed here.
const enumByTag = new Map<number, ValueSet>();
for (const set of sets.values()) {
  const info = tagByName(set.name);
  if (info) enumByTag.set(info.tag, set);
}
const alsoUses: ReadonlyArray<readonly [number, string]> = [
  [Tag.MaskGeneratorHashingAlgorithm, 'HashingAlgorithm'],
  [Tag.Link, 'UniqueIdentifier'],
  [Tag.LinkedObjectIdentifier, 'UniqueIdentifier'],
  [Tag.PrivateKeyUniqueIdentifier, 'UniqueIdentifier'],
  [Tag.PublicKeyUniqueIdentifier, 'UniqueIdentifier'],
  [Tag.ExtensionType, 'ItemType'],
];
for (const [tag, setName] of alsoUses) {
  const set = sets.get(setName);
  if (set) enumByTag.set(tag, set);
}

/** Tags whose Enumeration value is itself a tag (KMIP 2.x "Tag" enumeration). */
const TAG_VALUED = new Set<number>([Tag.AttributeReference, Tag.Tag]);

export function valueSetByName(name: string): ValueSet | undefined {
  return sets.get(name);
}

/** The enumeration or mask that values of `tag` are named from, if any. */
export function valueSetForTag(tag: number): ValueSet | undefined {
  return enumByTag.get(tag);
}

/** Name of an enumeration value of `tag`, or undefined when the value is not in the tables. */
export function enumName(tag: number, value: number): string | undefined {
  if (TAG_VALUED.has(tag)) return tagInfo(value)?.name;
  return enumByTag.get(tag)?.byValue.get(value);
}

/** Value of a named enumeration value of `tag`, accepting "0x0000000A" for any value. */
export function enumValue(tag: number, name: string): number | undefined {
  if (/^0x[0-9a-fA-F]{1,8}$/.test(name)) return Number.parseInt(name.slice(2), 16);
  if (TAG_VALUED.has(tag)) return tagByName(name)?.tag;
  return enumByTag.get(tag)?.byName.get(name);
}

/** Splits a mask into the names of its set bits; bits without a name come back as one hex word. */
export function maskNames(set: ValueSet, mask: number): string[] {
  const names: string[] = [];
  let rest = mask >>> 0;
  for (let i = 0; i < 32; i++) {
    const bit = (1 << i) >>> 0;
    if ((rest & bit) === 0) continue;
    const n = set.byValue.get(bit);
    if (n === undefined) continue;
    names.push(n);
    rest = (rest & ~bit) >>> 0;
  }
  if (rest !== 0) names.push(`0x${rest.toString(16).padStart(8, '0')}`);
  return names;
}

/** Parses "Encrypt Decrypt" (or "0x0000000C", or a decimal) into a mask; undefined if a word is unknown. */
export function parseMask(set: ValueSet, words: string): number | undefined {
  let mask = 0;
  for (const w of words.trim().split(/[\s|]+/)) {
    if (w === '') continue;
    let v: number | undefined;
    if (/^0x[0-9a-fA-F]{1,8}$/.test(w)) v = Number.parseInt(w.slice(2), 16);
    else if (/^\d+$/.test(w)) v = Number(w);
    else v = set.byName.get(w);
    if (v === undefined) return undefined;
    mask = (mask | v) >>> 0;
  }
  return mask | 0;
}

