import { describe, expect, it } from 'vitest';
import { AuditQueryError, type AuditFilter, buildAuditFilter } from './query.js';

describe('buildAuditFilter', () => {
  it('pins tenant-scoped queries to the scope tenant', () => {
    expect(buildAuditFilter({ kind: 'tenant', tenantId: 'acme' }, { result: 'denied' })).toEqual({ tenantId: 'acme', result: 'denied' });
    expect(() => buildAuditFilter({ kind: 'tenant', tenantId: 'acme' }, { tenantId: 'beta' })).toThrow(AuditQueryError);
    expect(() => buildAuditFilter({ kind: 'tenant', tenantId: 'Not Valid' })).toThrow(AuditQueryError);
    expect(() => buildAuditFilter({ kind: 'nobody' } as never)).toThrow(AuditQueryError);
  });

  it('lets the platform scope select a tenant, platform events, or everything', () => {
    expect(buildAuditFilter({ kind: 'platform' }, { tenantId: 'beta' })).toEqual({ tenantId: 'beta' });
    expect(buildAuditFilter({ kind: 'platform' }, { tenantId: null })).toEqual({ tenantId: null });
    expect(buildAuditFilter({ kind: 'platform' })).toEqual({});
  });

  it('maps ranges, lists and the cross-tenant flag', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-02-01T00:00:00Z');
    expect(buildAuditFilter({ kind: 'platform' }, { from, to, operation: ['kmip.Get', 'kmip.Create'], crossTenant: false })).toEqual({
      time: { $gte: from, $lt: to },
      operation: { $in: ['kmip.Get', 'kmip.Create'] },
      crossTenant: { $ne: true },
    });
  });

  it('refuses operator injection and oversized filters', () => {
    const inject = { actorId: { $ne: 'x' } } as unknown as AuditFilter;
    expect(() => buildAuditFilter({ kind: 'tenant', tenantId: 'acme' }, inject)).toThrow(AuditQueryError);
    const injectList = { operation: [{ $gt: '' }] } as unknown as AuditFilter;
    expect(() => buildAuditFilter({ kind: 'tenant', tenantId: 'acme' }, injectList)).toThrow(AuditQueryError);
    expect(() => buildAuditFilter({ kind: 'platform' }, { operation: Array.from({ length: 51 }, () => 'x') })).toThrow(AuditQueryError);
    expect(() => buildAuditFilter({ kind: 'platform' }, { from: new Date('nope') })).toThrow(AuditQueryError);
  });
});
