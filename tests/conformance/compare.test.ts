import { describe, expect, it } from 'vitest';
import { Tag } from '../../kmip-server/codec/tags.js';
import type { TtlvItem } from '../../kmip-server/codec/types.js';
import { ItemType } from '../../kmip-server/codec/types.js';
import { parseKmipXml, resolvePlaceholders } from '../../kmip-server/codec/xml.js';
import { compareResponse } from './compare.js';
import { Bindings, UnboundPlaceholder } from './placeholders.js';
import { formatReport, loadCase } from './runner.js';
import { defaultCaseDir, selectCases } from './run.js';

const NOW = 1_700_000_000n;
const xml = (s: string): TtlvItem => parseKmipXml(s, { placeholders: false })[0] as TtlvItem;

const expected = parseKmipXml(`
<ResponseMessage>
  <ResponseHeader>
    <ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="4"/></ProtocolVersion>
    <TimeStamp type="DateTime" value="$NOW"/>
    <BatchCount type="Integer" value="1"/>
  </ResponseHeader>
  <BatchItem>
    <Operation type="Enumeration" value="Encrypt"/>
    <ResultStatus type="Enumeration" value="Success"/>
    <ResponsePayload>
      <UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>
      <Data type="ByteString" value="00112233445566778899aabbccddeeff"/>
      <IVCounterNonce type="ByteString" value="$IV_COUNTER_NONCE"/>
    </ResponsePayload>
  </BatchItem>
</ResponseMessage>`)[0]!;

const actual = (uid: string, data: string, ts = NOW + 5n): TtlvItem =>
  xml(`
<ResponseMessage>
  <ResponseHeader>
    <ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="4"/></ProtocolVersion>
    <TimeStamp type="DateTime" value="${new Date(Number(ts) * 1000).toISOString()}"/>
    <BatchCount type="Integer" value="1"/>
  </ResponseHeader>
  <BatchItem>
    <Operation type="Enumeration" value="Encrypt"/>
    <ResultStatus type="Enumeration" value="Success"/>
    <ResponsePayload>
      <UniqueIdentifier type="TextString" value="${uid}"/>
      <Data type="ByteString" value="${data}"/>
      <IVCounterNonce type="ByteString" value="0f0e0d0c0b0a09080706050403020100"/>
    </ResponsePayload>
  </BatchItem>
</ResponseMessage>`);

describe('conformance comparison', () => {
  it('binds placeholders from responses and substitutes them in later requests', () => {
    const b = new Bindings(NOW);
    const c = compareResponse(expected, actual('srv-17', 'ffeeddccbbaa99887766554433221100'), b);
    expect(c.mismatches).toEqual([]);
    expect(c.soft).toBe(1); // ciphertext under a server key: same length, other bytes
    expect(b.get('$UNIQUE_IDENTIFIER_0')).toMatchObject({ type: ItemType.TextString, value: 'srv-17' });

    const [req] = parseKmipXml('<RequestMessage><UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/><ActivationDate type="DateTime" value="$NOW-3600"/></RequestMessage>');
    const sent = resolvePlaceholders(req!, (p) => b.resolve(p));
    expect(sent).toEqual(
      xml(`<RequestMessage><UniqueIdentifier type="TextString" value="srv-17"/><ActivationDate type="DateTime" value="${new Date(Number(NOW - 3600n) * 1000).toISOString()}"/></RequestMessage>`),
    );
    expect(() => b.resolve({ tag: Tag.Data, type: ItemType.ByteString, placeholder: '$DATA_9' })).toThrow(UnboundPlaceholder);
  });

  it('reports a changed identifier, a wrong length and a far-off time stamp', () => {
    const b = new Bindings(NOW);
    compareResponse(expected, actual('srv-17', 'ffeeddccbbaa99887766554433221100'), b);
    const c = compareResponse(expected, actual('srv-18', 'ffee', NOW + 10n * 86400n), b);
    expect(c.mismatches).toEqual([
      expect.stringContaining("TimeStamp: $NOW is 1700864000, far from the run's clock"),
      expect.stringContaining('$UNIQUE_IDENTIFIER_0 was TextString srv-17 earlier, now TextString srv-18'),
      expect.stringContaining('expected 16 bytes, got 2'),
    ]);
  });

  it('matches Attribute lists in any order but reports missing and extra ones', () => {
    const exp = parseKmipXml(`<ResponsePayload>
      <Attribute><AttributeName type="TextString" value="State"/><AttributeValue type="Enumeration" value="Active"/></Attribute>
      <Attribute><AttributeName type="TextString" value="Cryptographic Length"/><AttributeValue type="Integer" value="256"/></Attribute>
    </ResponsePayload>`)[0]!;
    const act = xml(`<ResponsePayload>
      <Attribute><AttributeName type="TextString" value="Cryptographic Length"/><AttributeValue type="Integer" value="256"/></Attribute>
      <Attribute><AttributeName type="TextString" value="State"/><AttributeValue type="Enumeration" value="Active"/></Attribute>
    </ResponsePayload>`);
    expect(compareResponse(exp, act, new Bindings()).mismatches).toEqual([]);
    const other = xml(`<ResponsePayload>
      <Attribute><AttributeName type="TextString" value="State"/><AttributeValue type="Enumeration" value="PreActive"/></Attribute>
      <Attribute><AttributeName type="TextString" value="Object Type"/><AttributeValue type="Enumeration" value="SymmetricKey"/></Attribute>
    </ResponsePayload>`);
    expect(compareResponse(exp, other, new Bindings()).mismatches).toEqual([
      'ResponsePayload/Attribute[State]/AttributeValue: expected Enumeration Active, got Enumeration PreActive',
      'ResponsePayload: missing attribute "Cryptographic Length"',
      'ResponsePayload: unexpected attribute "Object Type"',
    ]);
  });

  it('loads every OASIS file as request/response pairs and selects files by prefix', () => {
    const dir = defaultCaseDir();
    const all = selectCases(dir);
    expect(all).toHaveLength(91);
    for (const f of all) expect(loadCase(f).length).toBeGreaterThan(0);
    expect(selectCases(dir, ['SKLC-M']).map((f) => f.split('/').pop())).toEqual(['SKLC-M-1-14.xml', 'SKLC-M-2-14.xml', 'SKLC-M-3-14.xml']);
    expect(selectCases(dir, ['^TC-Q-'])).toHaveLength(4);
  });

  it('prints a table with a closing count', () => {
    const out = formatReport([
      { file: 'A.xml', passed: true, steps: [{ index: 0, operation: 'Create', passed: true, problems: [], soft: 0 }], ms: 1 },
      { file: 'B.xml', passed: false, steps: [{ index: 0, operation: 'Get', passed: false, problems: ['boom'], soft: 0 }], ms: 1 },
    ]);
    expect(out).toContain('A.xml  PASS    1/1');
    expect(out).toContain('B.xml  FAIL    0/1      0     #0 Get: boom');
    expect(out.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });
});
