import { describe, expect, it } from 'vitest';
import { ObjectType, State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { bool, enumeration, int, long, struct, text } from '../codec/types.js';
import { V1_0, V1_4 } from '../codec/version.js';
import { AttributeBag } from '../objects/attribute-bag.js';
import { attributeListOrder, selectAttributes, visibleAttributes } from './attribute-view.js';
import type { Target } from './targets.js';

function stored(bag: AttributeBag, usageUsed = 0): Target {
  return {
    kind: 'stored',
    object: { uid: 'u-1', tenantId: 't', owner: 's', objectType: ObjectType.SymmetricKey, attributes: bag, material: { kind: 'none', format: {} }, usageUsed, rev: 0 },
  };
}

describe('attributes as clients see them', () => {
  it('lists custom attributes first, then the identifying four, then the rest alphabetically (OASIS order)', () => {
    expect(attributeListOrder(['State', 'x-b', 'Name', 'Object Type', 'x-A', 'Unique Identifier', 'Cryptographic Length', 'Digest', 'Cryptographic Algorithm'])).toEqual([
      'x-A',
      'x-b',
      'Unique Identifier',
      'Object Type',
      'Cryptographic Algorithm',
      'Cryptographic Length',
      'Digest',
      'Name',
      'State',
    ]);
  });

  it('adds identity, Key Value Present and the remaining usage count; hides attributes newer than the client version', () => {
    const bag = AttributeBag.from([
      ['State', enumeration(Tag.State, State.PreActive)],
      ['Fresh', bool(Tag.Fresh, true)],
      ['Sensitive', bool(Tag.Sensitive, false)],
      ['Usage Limits', struct(Tag.UsageLimits, [long(Tag.UsageLimitsTotal, 10n), enumeration(Tag.UsageLimitsUnit, 2)])],
    ]);
    const v14 = visibleAttributes(stored(bag, 3), new Date(), V1_4);
    expect(v14.names()).toEqual(['Unique Identifier', 'Object Type', 'State', 'Fresh', 'Sensitive', 'Usage Limits', 'Key Value Present']);
    expect(v14.first('Usage Limits')).toEqual(struct(Tag.UsageLimits, [long(Tag.UsageLimitsTotal, 10n), long(Tag.UsageLimitsCount, 7n), enumeration(Tag.UsageLimitsUnit, 2)]));
    const v10 = visibleAttributes(stored(bag), new Date(), V1_0);
    expect(v10.names()).toEqual(['Unique Identifier', 'Object Type', 'State', 'Usage Limits']);
  });

  it('selects named attributes in request order with their indexes, or all but the 1.4 key-protection flags', () => {
    const bag = AttributeBag.from([
      ['Name', text(Tag.Name, 'a')],
      ['Name', text(Tag.Name, 'b')],
      ['Sensitive', bool(Tag.Sensitive, false)],
      ['Cryptographic Length', int(Tag.CryptographicLength, 128)],
    ]);
    expect(selectAttributes(bag, ['Cryptographic Length', 'Name']).map((a) => `${a.name}#${a.index}`)).toEqual(['Cryptographic Length#0', 'Name#0', 'Name#1']);
    expect(selectAttributes(bag, ['Sensitive']).map((a) => a.name)).toEqual(['Sensitive']);
    expect(selectAttributes(bag, undefined).map((a) => a.name)).toEqual(['Name', 'Name', 'Cryptographic Length']);
  });
});
