import { describe, expect, it } from 'vitest';
import { type AuditEvent, AuditEventError, validateAuditEvent } from './event.js';

const base: AuditEvent = {
  tenantId: 'acme',
  actor: { kind: 'service', id: 'spiffe://openkcm/tenant/acme/service/mongo-1' },
  operation: 'kmip.Get',
  result: 'success',
};

function refused(patch: Record<string, unknown>): string {
  try {
    validateAuditEvent({ ...base, ...patch } as AuditEvent);
  } catch (error) {
    expect(error).toBeInstanceOf(AuditEventError);
    return (error as Error).message;
  }
  throw new Error('expected the event to be refused');
}

describe('validateAuditEvent', () => {
  it('accepts a complete event and a platform event without tenant', () => {
    expect(() =>
      validateAuditEvent({
        ...base,
        time: new Date(),
        objectId: 'obj-1',
        l2Version: 3,
        reason: 'ok',
        crossTenant: false,
        latencyMs: 0.42,
        clientAddress: '127.0.0.1:5000',
        details: { keyArn: 'arn:aws:kms:eu-central-1:111122223333:key/abc', attempt: 2, cached: true },
      }),
    ).not.toThrow();
    expect(() => validateAuditEvent({ ...base, tenantId: null, actor: { kind: 'platform', id: 'pki' } })).not.toThrow();
  });

  it('refuses non-scalar details, so no buffers or objects (key material) can slip in', () => {
    expect(refused({ details: { key: Buffer.alloc(32) } })).toMatch(/details\.key/);
    expect(refused({ details: { wrapped: Buffer.alloc(32) } })).toMatch(/string, number or boolean/);
    expect(refused({ details: { nested: { a: 1 } } })).toMatch(/string, number or boolean/);
    expect(refused({ details: { list: [1, 2] } })).toMatch(/string, number or boolean/);
    expect(refused({ details: { n: Number.NaN } })).toMatch(/finite/);
    expect(refused({ details: [] })).toMatch(/plain object/);
  });

  it('refuses detail names that suggest secrets and values that look like PEM', () => {
    for (const name of ['password', 'clientSecret', 'privateKey', 'pin', 'accessToken', 'keyMaterial', 'plaintext']) {
      expect(refused({ details: { [name]: 'x' } })).toMatch(/secrets/);
    }
    expect(refused({ reason: '-----BEGIN PRIVATE KEY-----\nMII' })).toMatch(/PEM/);
    expect(refused({ details: { note: 'a'.repeat(600) } })).toMatch(/longer/);
  });

  it('names the bad field but never echoes its value', () => {
    const message = refused({ tenantId: 'NOT A TENANT secret-ish' });
    expect(message).toMatch(/tenantId/);
    expect(message).not.toContain('secret-ish');
  });

  it('refuses malformed core fields', () => {
    expect(refused({ actor: { kind: 'robot', id: 'x' } })).toMatch(/actor.kind/);
    expect(refused({ actor: { kind: 'user', id: '' } })).toMatch(/actor.id/);
    expect(refused({ operation: 'drop table;' })).toMatch(/operation/);
    expect(refused({ result: 'maybe' })).toMatch(/result/);
    expect(refused({ l2Version: -1 })).toMatch(/l2Version/);
    expect(refused({ latencyMs: Number.POSITIVE_INFINITY })).toMatch(/latencyMs/);
    expect(refused({ time: new Date('nope') })).toMatch(/time/);
    expect(refused({ reason: 'bad \ud800 surrogate' })).toMatch(/Unicode/);
    expect(refused({ crossTenant: 'yes' })).toMatch(/crossTenant/);
  });
});
