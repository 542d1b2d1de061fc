import { describe, expect, it } from 'vitest';
import { awsEncryptionContext, contextDigest, encodeContext } from './context.js';
import { bindPayload, unbindPayload } from './bound-payload.js';
import { createRedactor } from './redact.js';
import { KeystoreError } from '../types.js';

describe('wrap context encoding', () => {
  it('is unambiguous across field boundaries and versions', () => {
    const a = encodeContext({ tenantId: 'ab', purpose: 'c' });
    const b = encodeContext({ tenantId: 'a', purpose: 'bc' });
    expect(a.equals(b)).toBe(false);
    expect(contextDigest({ tenantId: 't', purpose: 'l2', l2Version: 1 }).equals(contextDigest({ tenantId: 't', purpose: 'l2', l2Version: 2 }))).toBe(false);
    expect(contextDigest({ tenantId: 't', purpose: 'l2' })).toHaveLength(32);
  });

  it('rejects an empty tenant or a bad version', () => {
    expect(() => encodeContext({ tenantId: '', purpose: 'l2' })).toThrow(KeystoreError);
    expect(() => encodeContext({ tenantId: 't', purpose: 'l2', l2Version: -1 })).toThrow(/l2Version/);
  });

  it('maps to an AWS EncryptionContext', () => {
    expect(awsEncryptionContext({ tenantId: 't1', purpose: 'l2', l2Version: 3 })).toEqual({
      'openkcm:tenant': 't1',
      'openkcm:purpose': 'l2',
      'openkcm:l2-version': '3',
    });
  });
});

describe('bound payload', () => {
  it('returns the plaintext for the same context and zeroes the payload', () => {
    const ctx = { tenantId: 't', purpose: 'l2', l2Version: 1 };
    const payload = bindPayload(Buffer.from('0123456789abcdef0123456789abcdef'), ctx);
    const out = unbindPayload(payload, ctx);
    expect(out.toString()).toBe('0123456789abcdef0123456789abcdef');
    expect(payload.every((b) => b === 0)).toBe(true);
  });

  it('refuses another context with crypto-failure', () => {
    const payload = bindPayload(Buffer.alloc(32, 7), { tenantId: 'a', purpose: 'l2' });
    expect(() => unbindPayload(payload, { tenantId: 'b', purpose: 'l2' })).toThrow(expect.objectContaining({ code: 'crypto-failure' }));
  });
});

describe('redactor', () => {
  it('replaces every secret occurrence, longest first, and ignores tiny strings', () => {
    const redact = createRedactor(['s3cr3t-value', 's3cr3t', 'ab', undefined]);
    expect(redact('x s3cr3t-value y s3cr3t z ab')).toBe('x [redacted] y [redacted] z ab');
  });
});
