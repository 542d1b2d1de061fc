import fc from 'fast-check';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { canonicalEncoding, recordHash } from './canonical.js';
import { AuditChain } from './chain.js';
import type { AuditEvent } from './event.js';
import { journalLine, parseJournalLine } from './record-line.js';
import type { AuditRecordDocument } from './store.js';

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
const text = fc.string({ unit: 'binary', maxLength: 40 });
// JSON has no -0 (the canonical encoding, and so the hash, writes it as 0); nor had the old layout.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));

const event: fc.Arbitrary<AuditEvent> = fc.record({
  time: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  tenantId: fc.option(text, { nil: null }),
  actor: fc.record({ kind: fc.constantFrom('service' as const, 'user' as const, 'system' as const), id: text }),
  operation: text,
  result: fc.constantFrom('success' as const, 'failure' as const, 'denied' as const),
  objectId: optional(text),
  l2Version: optional(fc.integer({ min: 1, max: 2 ** 31 })),
  reason: optional(text),
  crossTenant: optional(fc.boolean()),
  latencyMs: optional(fc.double({ min: 0, max: 1e6, noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n))),
  clientAddress: optional(text),
  details: optional(fc.dictionary(text, fc.oneof(text, finite, fc.boolean()), { maxKeys: 4 })),
}, { requiredKeys: ['time', 'tenantId', 'actor', 'operation', 'result'] }) as fc.Arbitrary<AuditEvent>;

describe('journal lines', () => {
  it('read back to a record with the same fields and the same hash, for any record', () => {
    fc.assert(
      fc.property(event, (e) => {
        const { doc, line } = new AuditChain('chain-1').nextWithLine(e, () => new Date());
        expect(line.endsWith('\n')).toBe(true);
        expect(line.slice(0, -1)).not.toContain('\n');
        const back = parseJournalLine(line.slice(0, -1));
        expect(back).toEqual(doc);
        expect(recordHash(back)).toBe(doc.hash);
        expect(journalLine(back)).toBe(line);
      }),
      { numRuns: 500 },
    );
  });

  it('are the record’s canonical encoding with its id and hash appended', () => {
    const { doc, line } = new AuditChain('chain-1').nextWithLine({ tenantId: 't', actor: { kind: 'service', id: 's' }, operation: 'Get', result: 'success' }, () => new Date(0));
    expect(line).toBe(`${canonicalEncoding(doc).slice(0, -1)},"${doc._id.toHexString()}","${doc.hash}"]\n`);
  });

  it('of the earlier object layout are still read', () => {
    // Written by the journal before lines were canonical arrays.
    const legacy =
      '{"_id":"6756a1b2c3d4e5f601234567","chainId":"kmip-1","seq":7,"prevHash":"' + 'a'.repeat(64) +
      '","time":"2026-12-01T10:00:00.123Z","tenantId":"acme","actor":{"kind":"service","id":"spiffe://x"},"operation":"Get","result":"success","hash":"' +
      'b'.repeat(64) + '","objectId":"k1","l2Version":2,"latencyMs":0.5,"clientAddress":"10.0.0.1"}';
    const doc = parseJournalLine(legacy);
    expect(doc).toEqual({
      _id: new ObjectId('6756a1b2c3d4e5f601234567'),
      chainId: 'kmip-1',
      seq: 7,
      prevHash: 'a'.repeat(64),
      time: new Date('2026-12-01T10:00:00.123Z'),
      tenantId: 'acme',
      actor: { kind: 'service', id: 'spiffe://x' },
      operation: 'Get',
      result: 'success',
      hash: 'b'.repeat(64),
      objectId: 'k1',
      l2Version: 2,
      latencyMs: 0.5,
      clientAddress: '10.0.0.1',
    } satisfies AuditRecordDocument);
  });

  it('refuse what is not a record line', () => {
    const { line } = new AuditChain('chain-1').nextWithLine({ tenantId: 't', actor: { kind: 'service', id: 's' }, operation: 'Get', result: 'success' }, () => new Date(0));
    const body = line.slice(0, -1);
    for (const bad of ['', '[]', '["openkcm.audit.v0"]', body.replace('openkcm.audit.v1', 'openkcm.audit.v9'), body.slice(0, -1), body.replace(/,"[0-9a-f]{24}",/, ',"not-an-id",'), body.replace(/null,"([0-9a-f]{24})"/, '"x","$1"')]) {
      expect(() => parseJournalLine(bad), bad).toThrow();
    }
  });
});
