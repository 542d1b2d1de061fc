import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { buildAuditFilter } from './query.js';
import { compareRecords, recordMatcher } from './record-stream.js';
import type { AuditRecordDocument } from './store.js';

const record = (over: Partial<AuditRecordDocument>): AuditRecordDocument => ({
  _id: new ObjectId(),
  chainId: 'c',
  seq: 1,
  prevHash: 'p',
  hash: 'h',
  time: new Date('2026-12-01T00:00:00Z'),
  tenantId: 'acme',
  actor: { kind: 'service', id: 'svc' },
  operation: 'kmip.Get',
  result: 'success',
  ...over,
});

describe('recordMatcher', () => {
  it('matches exactly what the store query would have matched', () => {
    const q = buildAuditFilter(
      { kind: 'tenant', tenantId: 'acme' },
      { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z'), operation: ['kmip.Get', 'kmip.Create'], result: 'success', crossTenant: false, actorKind: 'service', objectId: 'o1' },
    );
    const match = recordMatcher(q);
    expect(match(record({ objectId: 'o1' }))).toBe(true);
    expect(match(record({ objectId: 'o1', crossTenant: true }))).toBe(false);
    expect(match(record({ objectId: 'o1', tenantId: 'beta' }))).toBe(false);
    expect(match(record({ objectId: 'o1', operation: 'kmip.Destroy' }))).toBe(false);
    expect(match(record({ objectId: 'o1', time: new Date('2026-12-02T00:00:00Z') }))).toBe(false); // `to` is exclusive
    expect(match(record({ objectId: 'o1', actor: { kind: 'user', id: 'u' } }))).toBe(false);
    expect(match(record({ objectId: 'o2' }))).toBe(false);
  });

  it('selects platform-wide records with a null tenant, and refuses fields it does not know', () => {
    const platform = recordMatcher(buildAuditFilter({ kind: 'platform' }, { tenantId: null }));
    expect(platform(record({ tenantId: null }))).toBe(true);
    expect(platform(record({}))).toBe(false);
    expect(() => recordMatcher({ hash: 'x' })).toThrow(/cannot be filtered by hash/);
  });
});

describe('compareRecords', () => {
  it('orders by time, then by id', () => {
    const a = record({ _id: new ObjectId('000000000000000000000001') });
    const b = record({ _id: new ObjectId('000000000000000000000002') });
    const later = record({ time: new Date('2026-12-01T00:00:01Z'), _id: new ObjectId('000000000000000000000000') });
    expect([later, b, a].sort(compareRecords)).toEqual([a, b, later]);
  });
});
