import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTtlv } from './decoder.js';
import { encodeTtlv } from './encoder.js';
import { CryptographicUsageMask, ObjectType, Operation } from './enums.js';
import { Tag } from './tags.js';
import type { TtlvItem, TtlvPrimitive } from './types.js';
import { ItemType, enumeration, int, struct, text } from './types.js';
import type { PlaceholderItem, XmlItem } from './xml.js';
import { KmipXmlError, isPlaceholder, parseKmipXml, resolvePlaceholders, toKmipXml } from './xml.js';

const DIR = '/work/shared/kmip-testcases/v1.4';
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.xml')).sort();

/** Stands in for run-time values so requests can be encoded (the runner does this for real). */
function dummy(p: PlaceholderItem): TtlvPrimitive {
  switch (p.type) {
    case ItemType.TextString:
      return { tag: p.tag, type: p.type, value: `uid-${p.placeholder}` };
    case ItemType.DateTime:
      return { tag: p.tag, type: p.type, value: 1_700_000_000n };
    case ItemType.ByteString:
      return { tag: p.tag, type: p.type, value: Buffer.from('00112233', 'hex') };
    default:
      throw new Error(`unexpected placeholder type ${p.type}`);
  }
}

describe('KMIP XML encoding', () => {
  it('finds the 91 OASIS test-case files', () => {
    expect(FILES).toHaveLength(91);
  });

  for (const file of FILES) {
    it(`${file}: parses, and every message re-encodes to TTLV and back to an equal tree`, () => {
      const items = parseKmipXml(readFileSync(`${DIR}/${file}`, 'utf8'));
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((m) => m.tag === Tag.RequestMessage || m.tag === Tag.ResponseMessage)).toBe(true);
      for (const msg of items) {
        const tree = resolvePlaceholders(msg, dummy);
        const wire = encodeTtlv(tree);
        expect(decodeTtlv(wire)).toEqual(tree);
      }
      // XML → tree → XML → tree is stable too.
      expect(parseKmipXml(toKmipXml(items))).toEqual(items);
    });
  }

  it('reads enumeration names, usage-mask words, and 1.x attribute values named by AttributeName', () => {
    const [msg] = parseKmipXml(`
      <RequestMessage>
        <BatchItem>
          <Operation type="Enumeration" value="Create"/>
          <RequestPayload>
            <ObjectType type="Enumeration" value="SymmetricKey"/>
            <TemplateAttribute>
              <Attribute>
                <AttributeName type="TextString" value="Cryptographic Usage Mask"/>
                <AttributeValue type="Integer" value="Encrypt Decrypt"/>
              </Attribute>
              <Attribute>
                <AttributeName type="TextString" value="Object Type"/>
                <AttributeValue type="Enumeration" value="SecretData"/>
              </Attribute>
            </TemplateAttribute>
          </RequestPayload>
        </BatchItem>
      </RequestMessage>`);
    const expected: TtlvItem = struct(Tag.RequestMessage, [
      struct(Tag.BatchItem, [
        enumeration(Tag.Operation, Operation.Create),
        struct(Tag.RequestPayload, [
          enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
          struct(Tag.TemplateAttribute, [
            struct(Tag.Attribute, [
              text(Tag.AttributeName, 'Cryptographic Usage Mask'),
              int(Tag.AttributeValue, CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt),
            ]),
            struct(Tag.Attribute, [text(Tag.AttributeName, 'Object Type'), enumeration(Tag.AttributeValue, ObjectType.SecretData)]),
          ]),
        ]),
      ]),
    ]);
    expect(msg).toEqual(expected);
    const out = toKmipXml(expected);
    expect(out).toContain('<AttributeValue type="Integer" value="Encrypt Decrypt"/>');
    expect(out).toContain('<AttributeValue type="Enumeration" value="SecretData"/>');
  });

  it('keeps placeholders symbolic and accepts hex enumeration values and TTLV extension elements', () => {
    const [msg] = parseKmipXml(`
      <RequestMessage>
        <UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_3"/>
        <ActivationDate type="DateTime" value="$NOW-3600"/>
        <OpaqueDataType type="Enumeration" value="0x80000001"/>
        <TTLV tag="0x540001" type="ByteString" value="c0ffee"/>
        <InitialDate type="DateTime" value="1970-01-01T00:00:06+00:00"/>
      </RequestMessage>`) as [XmlItem & { value: XmlItem[] }];
    const [uid, act, opaque, ext, initial] = msg.value;
    expect(isPlaceholder(uid!) && uid.placeholder).toBe('$UNIQUE_IDENTIFIER_3');
    expect(isPlaceholder(act!) && act.type === ItemType.DateTime && act.placeholder).toBe('$NOW-3600');
    expect(opaque).toEqual(enumeration(Tag.OpaqueDataType, 0x80000001));
    expect(ext).toEqual({ tag: 0x540001, type: ItemType.ByteString, value: Buffer.from('c0ffee', 'hex') });
    expect(initial).toEqual({ tag: Tag.InitialDate, type: ItemType.DateTime, value: 6n });
    expect(toKmipXml(msg)).toContain('<TTLV tag="0x540001" type="ByteString" value="c0ffee"/>');
  });

  it('names what is wrong with bad XML input', () => {
    expect(() => parseKmipXml('<NoSuchTag type="Integer" value="1"/>')).toThrow(KmipXmlError);
    expect(() => parseKmipXml('<Operation type="Enumeration" value="Frobnicate"/>')).toThrow(/not a known Operation value/);
    expect(() => parseKmipXml('<BatchCount type="Integer" value="one"/>')).toThrow(/not an Integer/);
    expect(() => parseKmipXml('<Data type="ByteString" value="abc"/>')).toThrow(/hex ByteString/);
  });
});
