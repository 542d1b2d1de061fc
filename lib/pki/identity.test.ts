import { describe, expect, it } from 'vitest';
import { type PeerCertificateLike, PeerIdentityError, identityFromPeerCertificate } from './identity.js';

const good: PeerCertificateLike = {
  subject: { O: 'acme', CN: 'mongo-1' },
  subjectaltname: 'URI:spiffe://openkcm/tenant/acme/service/mongo-1',
  serialNumber: '3F0A23328AEF327A7F06F7E24BA8F128',
  ext_key_usage: ['1.3.6.1.5.5.7.3.2'],
};

function refusal(cert: unknown): string {
  try {
    identityFromPeerCertificate(cert as PeerCertificateLike);
  } catch (error) {
    expect(error).toBeInstanceOf(PeerIdentityError);
    return (error as PeerIdentityError).reason;
  }
  throw new Error('expected a refusal');
}

describe('identityFromPeerCertificate', () => {
  it('reads tenant, service and serial when SAN, O and CN agree', () => {
    expect(identityFromPeerCertificate(good)).toEqual({ tenantId: 'acme', serviceId: 'mongo-1', serial: '3F0A23328AEF327A7F06F7E24BA8F128' });
    expect(identityFromPeerCertificate({ ...good, serialNumber: '00ab:cd' }).serial).toBe('ABCD');
  });

  it('refuses a missing certificate (Node returns {} or null)', () => {
    expect(refusal({})).toBe('no-certificate');
    expect(refusal(null)).toBe('no-certificate');
  });

  it('refuses disagreement between SAN and subject', () => {
    expect(refusal({ ...good, subject: { O: 'other', CN: 'mongo-1' } })).toBe('subject-mismatch');
    expect(refusal({ ...good, subject: { O: 'acme', CN: 'mongo-2' } })).toBe('subject-mismatch');
    expect(refusal({ ...good, subject: { O: ['acme', 'other'], CN: 'mongo-1' } })).toBe('subject-mismatch');
    expect(refusal({ ...good, subject: { CN: 'mongo-1' } })).toBe('subject-mismatch');
  });

  it('refuses missing, extra, foreign or smuggled SANs', () => {
    expect(refusal({ ...good, subjectaltname: undefined })).toBe('no-spiffe-id');
    expect(refusal({ ...good, subjectaltname: 'DNS:acme' })).toBe('no-spiffe-id');
    expect(refusal({ ...good, subjectaltname: `${good.subjectaltname}, DNS:x` })).toBe('ambiguous-san');
    expect(refusal({ ...good, subjectaltname: `${good.subjectaltname}, URI:spiffe://openkcm/tenant/b/service/c` })).toBe('ambiguous-san');
    expect(refusal({ ...good, subjectaltname: 'URI:spiffe://evil/tenant/acme/service/mongo-1' })).toBe('invalid-identifier');
    expect(refusal({ ...good, subjectaltname: 'URI:"spiffe://openkcm/tenant/acme/service/mongo-1, URI:x"' })).toBe('ambiguous-san');
    expect(refusal({ ...good, subjectaltname: 'URI:spiffe://openkcm/tenant/Acme/service/mongo-1' })).toBe('invalid-identifier');
    expect(refusal({ ...good, subjectaltname: 'URI:spiffe://openkcm/tenant/acme/service/mongo-1/x' })).toBe('invalid-identifier');
  });

  it('refuses certificates not issued for client authentication', () => {
    expect(refusal({ ...good, ext_key_usage: ['1.3.6.1.5.5.7.3.1'] })).toBe('not-client-certificate');
    expect(refusal({ ...good, ext_key_usage: undefined })).toBe('not-client-certificate');
  });

  it('refuses an unreadable serial', () => {
    expect(refusal({ ...good, serialNumber: 'xyz' })).toBe('bad-serial');
  });
});
