import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, csvRow } from './export.js';

describe('CSV export cells', () => {
  it('quotes separators, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(false)).toBe('false');
  });

  it('defuses spreadsheet formulas in text cells', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tcmd')).toBe(`"'\tcmd"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes one row per event in column order', () => {
    const row = csvRow({
      id: new ObjectId().toHexString(),
      chainId: 'kmip:h:1:2:abc',
      seq: 3,
      hash: 'h',
      prevHash: 'p',
      time: new Date('2026-01-01T00:00:00.000Z'),
      tenantId: 'acme',
      actor: { kind: 'user', id: '=cmd()' },
      operation: 'l1.activate',
      result: 'denied',
      crossTenant: true,
      details: { keyArn: 'arn:x', n: 1 },
    });
    const cells = row.trimEnd().split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    expect(cells).toHaveLength(CSV_COLUMNS.length);
    expect(cells[0]).toBe('2026-01-01T00:00:00.000Z');
    expect(cells[3]).toBe(`"'=cmd()"`);
    expect(cells[9]).toBe('true');
    expect(cells[12]).toBe('"{""keyArn"":""arn:x"",""n"":1}"');
    expect(row.endsWith('\r\n')).toBe(true);
  });
});
