import { attributeSince, isCustomAttributeName } from '../codec/attributes.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType, bool, enumeration, long, struct, text } from '../codec/types.js';
import type { VersionCode } from '../codec/version.js';
import { V2_0 } from '../codec/version.js';
import { AttributeBag } from '../objects/attribute-bag.js';
import { effectiveState } from '../objects/lifecycle.js';
import type { KmipAttribute } from '../protocol/attributes.js';
import { attribute1x } from '../protocol/attributes.js';
import type { Target } from './targets.js';
import { EPHEMERAL_OBJECT_TYPE, ephemeralAttributes } from './targets.js';

/**
 * The attributes a client sees for an object: the stored ones, plus Unique Identifier and
 * Object Type, the State as of now, the remaining Usage Limits count, and Key Value Present
 * for objects registered without material. Only attributes the client's protocol version
 * defines are shown.
 */
export function visibleAttributes(t: Target, now: Date, version: VersionCode): AttributeBag {
  const out = new AttributeBag();
  const uid = t.kind === 'ephemeral' ? t.id.id : t.object.uid;
  const objectType = t.kind === 'ephemeral' ? EPHEMERAL_OBJECT_TYPE : t.object.objectType;
  out.add('Unique Identifier', text(Tag.UniqueIdentifier, uid));
  out.add('Object Type', enumeration(Tag.ObjectType, objectType));
  const bag = t.kind === 'ephemeral' ? ephemeralAttributes() : t.object.attributes;
  for (const [name, list] of bag.entries()) {
    if (name === 'State') {
      out.add(name, enumeration(Tag.State, effectiveState(bag, now)));
      continue;
    }
    if (name === 'Usage Limits' && t.kind === 'stored') {
      for (const v of list) out.add(name, withUsageCount(v, t.object.usageUsed));
      continue;
    }
    for (const v of list) out.add(name, v);
  }
  if (t.kind === 'stored' && t.object.material.kind === 'none' && !out.has('Key Value Present')) {
    out.add('Key Value Present', bool(Tag.KeyValuePresent, false));
  }
  return version >= V2_0 ? out : onlyDefinedIn(out, version);
}

function onlyDefinedIn(bag: AttributeBag, version: VersionCode): AttributeBag {
  const out = new AttributeBag();
  for (const [name, list] of bag.entries()) {
    const since = attributeSince(AttributeBag.valueTag(name));
    if (since !== undefined && since > version) continue;
    for (const v of list) out.add(name, v);
  }
  return out;
}

/** Usage Limits as clients read it: Usage Limits Count is what remains. */
function withUsageCount(v: TtlvItem, used: number): TtlvItem {
  if (v.type !== ItemType.Structure) return v;
  const total = v.value.find((c) => c.tag === Tag.UsageLimitsTotal);
  if (!total || total.type !== ItemType.LongInteger) return v;
  const remaining = total.value - BigInt(used);
  const children = v.value.filter((c) => c.tag !== Tag.UsageLimitsCount);
  const unitAt = children.findIndex((c) => c.tag === Tag.UsageLimitsUnit);
  children.splice(unitAt < 0 ? children.length : unitAt, 0, long(Tag.UsageLimitsCount, remaining < 0n ? 0n : remaining));
  return struct(v.tag, children);
}

/**
 * KMIP 1.4's key-protection booleans are listed by GetAttributeList and returned when named,
 * but left out of a GetAttributes that names nothing — as the OASIS reference server does
 * (TL-M-3-14), so clients written against it see the answer they expect.
 */
const NOT_IN_ALL = new Set(['Sensitive', 'Always Sensitive', 'Extractable', 'Never Extractable']);

/** Attribute instances for GetAttributes: the named ones in request order, or all. */
export function selectAttributes(bag: AttributeBag, names: readonly string[] | undefined): KmipAttribute[] {
  const out: KmipAttribute[] = [];
  const push = (name: string): void => {
    bag.all(name).forEach((value, index) => out.push({ name, tag: isCustomAttributeName(name) ? undefined : value.tag, index, value }));
  };
  if (names === undefined || names.length === 0) {
    for (const [name] of bag.entries()) if (!NOT_IN_ALL.has(name)) push(name);
  } else {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      push(n);
    }
  }
  return out;
}

/** 1.x `Attribute` structures; the Attribute Index is written only when it is not 0. */
export function attributes1x(list: readonly KmipAttribute[]): TtlvItem[] {
  return list.map((a) => attribute1x({ ...a, index: a.index === 0 ? undefined : a.index }));
}

/**
 * GetAttributeList order: custom attributes first (sorted), then the four identifying
 * attributes, then every other standard attribute alphabetically — the order of the OASIS
 * reference responses.
 */
const LEADING = ['Unique Identifier', 'Object Type', 'Cryptographic Algorithm', 'Cryptographic Length'];

export function attributeListOrder(names: readonly string[]): string[] {
  const custom = names.filter(isCustomAttributeName).sort();
  const leading = LEADING.filter((n) => names.includes(n));
  const rest = names.filter((n) => !isCustomAttributeName(n) && !LEADING.includes(n)).sort();
  return [...custom, ...leading, ...rest];
}
