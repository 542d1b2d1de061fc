import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attributeName, attributeTag } from './attributes.js';
import * as E from './enums.js';
import { enumName, enumValue, maskNames, parseMask, valueSetByName } from './names.js';
import { Tag, isTagValidIn, tagByName, tagInfo } from './tags.js';
import { V1_0, V1_1, V1_2, V1_4, V2_0, V2_1 } from './version.js';

// PyKMIP's own tables (testdata/pykmip_tables.py), an independent transcription of the spec.
const pykmip = JSON.parse(readFileSync(new URL('./testdata/pykmip-tables.json', import.meta.url), 'utf8')) as {
  tags: Record<string, number>;
  enums: Record<string, Record<string, number>>;
};
const key = (s: string): string => s.replace(/_/g, '').toUpperCase();

// Where PyKMIP names a value differently from the spec's normalised name.
const PYKMIP_NAMING = new Set(['CryptographicAlgorithm.TRIPLE_DES', 'ObjectType.OPAQUE_DATA', 'RecommendedCurve.SECP191K1']);

describe('tag and enumeration tables', () => {
  it('agree with PyKMIP on every tag number and name', () => {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(pykmip.tags)) {
      if (name === 'DEFAULT') continue; // PyKMIP's internal 0x420000
      const info = tagInfo(value);
      if (!info) problems.push(`missing ${name}`);
      else if (key(info.name) !== key(name)) problems.push(`${name} is ${info.name} here`);
    }
    expect(problems).toEqual([]);
  });

  it('agree with PyKMIP on the values of the enumerations OpenKCM uses', () => {
    const problems: string[] = [];
    for (const [set, values] of Object.entries(pykmip.enums)) {
      const ours = (E as unknown as Record<string, Record<string, number> | undefined>)[set];
      if (!ours) {
        problems.push(`missing enumeration ${set}`);
        continue;
      }
      const byValue = new Map(Object.entries(ours).map(([n, v]) => [v, n]));
      for (const [name, value] of Object.entries(values)) {
        const mine = byValue.get(value);
        if (mine === undefined) problems.push(`${set}.${name} (${value}) missing`);
        else if (key(mine) !== key(name) && !PYKMIP_NAMING.has(`${set}.${name}`)) problems.push(`${set}.${name} is ${mine} here`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('use the XML names of the OASIS files and know when each tag appeared or was removed', () => {
    expect(Tag.IVCounterNonce).toBe(0x42003d);
    expect(tagByName('PKCS_12FriendlyName')?.tag).toBe(0x4200fb);
    expect(tagInfo(Tag.CommonTemplateAttribute)?.specName).toBe('Common Template-Attribute');
    expect(isTagValidIn(Tag.Password, V1_0)).toBe(true);
    expect(isTagValidIn(Tag.DeviceIdentifier, V1_0)).toBe(false);
    expect(isTagValidIn(Tag.DeviceIdentifier, V1_1)).toBe(true);
    expect(isTagValidIn(Tag.AuthenticatedEncryptionTag, V1_2)).toBe(false);
    expect(isTagValidIn(Tag.AuthenticatedEncryptionTag, V1_4)).toBe(true);
    expect(isTagValidIn(Tag.TemplateAttribute, V1_4)).toBe(true);
    expect(isTagValidIn(Tag.TemplateAttribute, V2_0)).toBe(false);
    expect(isTagValidIn(Tag.Attributes, V1_4)).toBe(false);
    expect(isTagValidIn(Tag.ProcessingStage, V2_0)).toBe(false);
    expect(isTagValidIn(Tag.ProcessingStage, V2_1)).toBe(true);
    expect(isTagValidIn(0x540001, V1_0)).toBe(true);
  });

  it('name enumeration values per tag, including tags that share a set and tag-valued enumerations', () => {
    expect(enumName(Tag.State, E.State.PreActive)).toBe('PreActive');
    expect(enumName(Tag.MaskGeneratorHashingAlgorithm, E.HashingAlgorithm.SHA_256)).toBe('SHA_256');
    expect(enumName(Tag.AttributeReference, Tag.CryptographicLength)).toBe('CryptographicLength');
    expect(enumValue(Tag.CryptographicAlgorithm, 'DES3')).toBe(0x02);
    expect(enumValue(Tag.HashingAlgorithm, 'SHA3_256')).toBe(E.HashingAlgorithm.SHA_3_256); // 2.x spelling
    expect(enumValue(Tag.OpaqueDataType, '0x80000001')).toBe(0x80000001);
    expect(enumName(Tag.Operation, 0x7fff)).toBeUndefined();
  });

  it('read and write usage masks as names', () => {
    const set = valueSetByName('CryptographicUsageMask')!;
    expect(parseMask(set, 'Encrypt Decrypt')).toBe(12);
    expect(parseMask(set, 'Decrypt Encrypt MACGenerate')).toBe(12 | 0x80);
    expect(parseMask(set, 'Encrypt Frobnicate')).toBeUndefined();
    expect(maskNames(set, 12)).toEqual(['Encrypt', 'Decrypt']);
    expect(maskNames(set, 0x40000004)).toEqual(['Encrypt', '0x40000000']);
  });

  it('map 1.x attribute names to tags and back', () => {
    expect(attributeTag('Cryptographic Usage Mask')).toBe(Tag.CryptographicUsageMask);
    expect(attributeTag('X.509 Certificate Identifier')).toBe(Tag.X_509CertificateIdentifier);
    expect(attributeTag('PKCS#12 Friendly Name')).toBe(Tag.PKCS_12FriendlyName);
    expect(attributeTag('Batch Count')).toBeUndefined(); // a tag, not an attribute
    expect(attributeTag('x-custom')).toBeUndefined();
    expect(attributeName(Tag.State)).toBe('State');
  });
});
