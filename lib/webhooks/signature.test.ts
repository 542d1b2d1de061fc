import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './signature.js';

const secret = randomBytes(32);
const body = JSON.stringify({ id: 'evt-1', type: 'tenant.created' });

describe('webhook signatures', () => {
  it('accepts what it signed', () => {
    expect(verifyWebhookSignature(secret, body, signWebhook(secret, body))).toMatchObject({ ok: true });
  });

  it('rejects a changed body, another secret, a missing or malformed header', () => {
    const header = signWebhook(secret, body);
    expect(verifyWebhookSignature(secret, body + ' ', header)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(randomBytes(32), body, header)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(secret, body, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyWebhookSignature(secret, body, 't=1,v1=zz')).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhookSignature(secret, body, 'garbage')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects timestamps outside the tolerance, either way', () => {
    const now = 1_800_000_000;
    expect(verifyWebhookSignature(secret, body, signWebhook(secret, body, now - 301), { nowSeconds: now })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebhookSignature(secret, body, signWebhook(secret, body, now + 301), { nowSeconds: now })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebhookSignature(secret, body, signWebhook(secret, body, now - 299), { nowSeconds: now })).toMatchObject({ ok: true });
  });
});
