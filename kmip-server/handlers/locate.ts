import { ResultReason } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType, int, text } from '../codec/types.js';
import { V1_3 } from '../codec/version.js';
import { NON_EQUALITY_ATTRIBUTES, dateAttr, intAttr, matchKey } from '../objects/document.js';
import { effectiveState } from '../objects/lifecycle.js';
import type { ManagedObject } from '../objects/model.js';
import type { KmipAttribute } from '../protocol/attributes.js';
import { readAttributes } from '../protocol/attributes.js';
import { KmipError, invalidField } from '../protocol/errors.js';
import type { OpHandler } from './context.js';

/** Most identifiers one Locate returns when the client sets no Maximum Items. */
const DEFAULT_MAXIMUM = 1000;

interface Criteria {
  readonly match: string[];
  objectType?: number;
  uid?: string;
  readonly states: number[];
  usageMask?: number;
  readonly dates: Map<string, Date[]>;
}

/**
 * Locate, within the caller's tenant only (the tenant is part of the store filter). Equality on
 * any attribute (names, groups, application data, custom attributes…) runs in the store on the
 * objects' equality keys; State (which follows the dates), usage-mask bits and date ranges
 * (two values = an inclusive range) are checked here. Destroyed objects are left out unless the
 * request asks about State. Ephemeral keys are never stored and so are never located.
 */
export const locate: OpHandler = async (p, _ctx, op) => {
  const maximum = p.intOpt(Tag.MaximumItems);
  const offset = p.intOpt(Tag.OffsetItems) ?? 0;
  if (maximum !== undefined && maximum < 0) throw invalidField('Maximum Items must not be negative');
  if (offset < 0) throw invalidField('Offset Items must not be negative');
  const c = criteria(readAttributes(p, [Tag.Attributes, Tag.Attribute]));
  const limit = maximum ?? DEFAULT_MAXIMUM;
  const found: string[] = [];
  let skipped = 0;
  let total = 0;
  for await (const o of op.services.objects.locate(op.tenantId, {
    match: c.match,
    objectType: c.objectType,
    uid: c.uid,
    excludeDestroyed: c.states.length === 0,
  })) {
    if (!matches(o, c, op.now)) continue;
    total++;
    if (skipped < offset) {
      skipped++;
      continue;
    }
    if (found.length < limit) found.push(o.uid);
    else if (op.version < V1_3) break;
  }
  const out: TtlvItem[] = [];
  // Located Items (1.3+) tells a paging client how many matched in all.
  if (op.version >= V1_3 && maximum !== undefined) out.push(int(Tag.LocatedItems, total));
  for (const uid of found) out.push(text(Tag.UniqueIdentifier, uid));
  return out;
};

function criteria(attrs: readonly KmipAttribute[]): Criteria {
  const c: Criteria = { match: [], states: [], dates: new Map() };
  for (const a of attrs) {
    const v = a.value;
    switch (a.name) {
      case 'Object Type':
        if (v.type !== ItemType.Enumeration) throw invalidField('Object Type must be an Enumeration');
        c.objectType = v.value;
        continue;
      case 'Unique Identifier':
        if (v.type !== ItemType.TextString) throw invalidField('Unique Identifier must be a Text String');
        c.uid = v.value;
        continue;
      case 'State':
        if (v.type !== ItemType.Enumeration) throw invalidField('State must be an Enumeration');
        c.states.push(v.value);
        continue;
      case 'Cryptographic Usage Mask':
        if (v.type !== ItemType.Integer) throw invalidField('Cryptographic Usage Mask must be an Integer');
        c.usageMask = (c.usageMask ?? 0) | v.value;
        continue;
    }
    if (v.type === ItemType.DateTime) {
      const list = c.dates.get(a.name) ?? [];
      if (list.length >= 2) throw invalidField(`${a.name} may be given at most twice (a range)`);
      list.push(new Date(Number(v.value) * 1000));
      c.dates.set(a.name, list);
      continue;
    }
    if (NON_EQUALITY_ATTRIBUTES.has(a.name)) {
      throw new KmipError(ResultReason.FeatureNotSupported, `Locate does not search by ${a.name}`);
    }
    c.match.push(matchKey(a.name, v));
  }
  return c;
}

function matches(o: ManagedObject, c: Criteria, now: Date): boolean {
  if (c.states.length > 0 && !c.states.includes(effectiveState(o.attributes, now))) return false;
  if (c.usageMask !== undefined) {
    const mask = intAttr(o.attributes, 'Cryptographic Usage Mask') ?? 0;
    if ((mask & c.usageMask) !== c.usageMask) return false;
  }
  for (const [name, bounds] of c.dates) {
    const d = dateAttr(o.attributes, name);
    if (!d) return false;
    const t = d.getTime();
    if (bounds.length === 1) {
      if (t !== bounds[0]!.getTime()) return false;
    } else {
      const lo = Math.min(bounds[0]!.getTime(), bounds[1]!.getTime());
      const hi = Math.max(bounds[0]!.getTime(), bounds[1]!.getTime());
      if (t < lo || t > hi) return false;
    }
  }
  return true;
}
