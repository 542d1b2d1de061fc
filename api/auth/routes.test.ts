import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { startTestApi } from '../testing/harness.js';
import { useTestApi } from '../testing/use-test-api.js';
import { TokenService } from './tokens.js';

const api = useTestApi({ config: { loginLimits: { perUser: { max: 3, windowMs: 60_000 }, perAddress: { max: 50, windowMs: 60_000 } } } });

describe('POST /api/auth/login', () => {
  it('returns a token for the right password and the token identifies the user', async () => {
    await api.seedTenant('acme');
    const password = await api.createUser('acme', 'alice', 'admin');
    const login = await api.request('POST', '/api/auth/login', { body: { tenantId: 'acme', username: 'alice', password } });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.json.user).toEqual({ username: 'alice', role: 'admin', tenantId: 'acme' });
    expect(Date.parse(login.json.expiresAt)).toBeGreaterThan(Date.now());

    const me = await api.request('GET', '/api/me', { token: login.json.token });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ username: 'alice', role: 'admin', tenantId: 'acme' });
  });

  it('answers 401 for a wrong password, an unknown user and an unknown tenant alike', async () => {
    await api.seedTenant('beta');
    await api.createUser('beta', 'bob', 'admin');
    for (const body of [
      { tenantId: 'beta', username: 'bob', password: 'wrong-password' },
      { tenantId: 'beta', username: 'nobody', password: 'wrong-password' },
      { tenantId: 'nosuch', username: 'bob', password: 'wrong-password' },
    ]) {
      const response = await api.request('POST', '/api/auth/login', { body });
      expect(response.status).toBe(401);
      expect(response.json.error).toMatchObject({ code: 'unauthenticated', message: 'invalid tenant, username or password' });
    }
  });

  it('rate limits repeated failures per tenant/username with 429 and Retry-After, even for the right password', async () => {
    await api.seedTenant('gamma');
    const password = await api.createUser('gamma', 'carol', 'admin');
    for (let i = 0; i < 3; i++) {
      const r = await api.request('POST', '/api/auth/login', { body: { tenantId: 'gamma', username: 'carol', password: `nope-${i}` } });
      expect(r.status).toBe(401);
    }
    const limited = await api.request('POST', '/api/auth/login', { body: { tenantId: 'gamma', username: 'carol', password } });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another user of the same tenant is not affected.
    const other = await api.createUser('gamma', 'dave', 'auditor');
    expect((await api.request('POST', '/api/auth/login', { body: { tenantId: 'gamma', username: 'dave', password: other } })).status).toBe(200);
  });

  it('audits successful, failed and refused logins of the tenant', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const page = await api.deps.audit.query('gamma', { operation: 'auth.login' }, { limit: 50 });
    const results = page.items.map((e) => `${e.actor.id}:${e.result}`);
    expect(results).toContain('carol:failure');
    expect(results).toContain('carol:denied');
    expect(results).toContain('dave:success');
    expect(page.items.every((e) => e.clientAddress === '127.0.0.1' || e.clientAddress === '::ffff:127.0.0.1')).toBe(true);
  });

  it('rejects malformed JSON and bad fields with 400 naming them', async () => {
    const malformed = await api.request('POST', '/api/auth/login', { rawBody: '{"tenantId": "acme",' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatchObject({ code: 'invalid_request', details: { fields: { body: 'is not valid JSON' } } });

    const bad = await api.request('POST', '/api/auth/login', { body: { tenantId: 'Not A Tenant', password: '' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.details.fields).sort()).toEqual(['password', 'tenantId', 'username']);
  });

  it('never logs passwords', async () => {
    const password = await api.createUser('acme', 'logcheck', 'admin');
    await api.request('POST', '/api/auth/login', { body: { tenantId: 'acme', username: 'logcheck', password } });
    await api.request('POST', '/api/auth/login', { body: { tenantId: 'acme', username: 'logcheck', password: 'Hunter2-not-it' } });
    const all = api.logs.join('\n');
    expect(all).not.toContain(password);
    expect(all).not.toContain('Hunter2-not-it');
    expect(all).toContain('"route":"/api/auth/login"');
  });
});

describe('bearer tokens', () => {
  it('401 without a token, with a garbage token, and with a token from an unknown issuer', async () => {
    const none = await api.request('GET', '/api/me');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.json.error.code).toBe('unauthenticated');
    expect((await api.request('GET', '/api/me', { token: 'not.a.jwt' })).status).toBe(401);

    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ tenant: 'acme', role: 'admin' })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('mallory')
      .setIssuer('https://evil.example')
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await api.request('GET', '/api/me', { token: forged })).status).toBe(401);
  });

  it('401 for a token claiming our issuer but signed by another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ tenant: 'acme', role: 'admin' })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('mallory')
      .setIssuer(api.deps.config.jwt.builtinIssuer)
      .setAudience('openkcm-api')
      .setExpirationTime('1h')
      .sign(privateKey);
    const response = await api.request('GET', '/api/me', { token: forged });
    expect(response.status).toBe(401);
  });

  it('401 for an expired token', async () => {
    const issued = await api.app.tokens.issue({ username: 'alice', tenantId: 'acme', role: 'admin' });
    const twoHoursLater = new TokenService(api.deps.config.jwt, api.deps.repos.signingKeys, () => new Date(Date.now() + 2 * 3_600_000));
    await expect(twoHoursLater.verify(issued.token)).rejects.toMatchObject({ status: 401, message: 'token expired' });
    await expect(api.app.tokens.verify(issued.token)).resolves.toMatchObject({ username: 'alice', tenantId: 'acme' });
  });

  it('401 once the tenant is offboarded', async () => {
    await api.seedTenant('leaving');
    const password = await api.createUser('leaving', 'admin', 'admin');
    const token = await api.login('leaving', 'admin', password);
    expect((await api.request('GET', '/api/me', { token })).status).toBe(200);
    await api.deps.repos.tenants.setStatus('leaving', 'offboarded');
    expect((await api.request('GET', '/api/me', { token })).status).toBe(401);
  });
});

describe('POST /api/me/password', () => {
  it('changes the password after checking the current one', async () => {
    await api.seedTenant('delta');
    const password = await api.createUser('delta', 'erin', 'auditor');
    const token = await api.login('delta', 'erin', password);
    const wrong = await api.request('POST', '/api/me/password', { token, body: { currentPassword: 'nope', newPassword: 'a-much-longer-password' } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.details.fields).toHaveProperty('currentPassword');
    const short = await api.request('POST', '/api/me/password', { token, body: { currentPassword: password, newPassword: 'short' } });
    expect(short.status).toBe(400);
    expect(short.json.error.details.fields).toHaveProperty('newPassword');
    const ok = await api.request('POST', '/api/me/password', { token, body: { currentPassword: password, newPassword: 'a-much-longer-password' } });
    expect(ok.status).toBe(204);
    expect((await api.request('POST', '/api/auth/login', { body: { tenantId: 'delta', username: 'erin', password } })).status).toBe(401);
    expect((await api.request('POST', '/api/auth/login', { body: { tenantId: 'delta', username: 'erin', password: 'a-much-longer-password' } })).status).toBe(200);
  });
});

describe('external identity provider', () => {
  it('accepts tokens of the configured issuer verified by its JWKS, and only with tenant and role claims', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
    const jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    const external = await startTestApi({
      mongoUri: api.mongoUri,
      config: { jwt: { builtinIssuer: 'http://openkcm.test', ttlSeconds: 3_600, external: { issuer: 'https://idp.example', jwksUrl, audience: 'openkcm' } } },
    });
    try {
      await external.seedTenant('acme');
      const sign = (claims: Record<string, unknown>, audience = 'openkcm') =>
        new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'idp-1' }).setSubject('sso-user').setIssuer('https://idp.example').setAudience(audience).setExpirationTime('5m').sign(privateKey);

      const ok = await external.request('GET', '/api/me', { token: await sign({ tenant: 'acme', role: 'auditor' }) });
      expect(ok.status).toBe(200);
      expect(ok.json).toEqual({ username: 'sso-user', role: 'auditor', tenantId: 'acme' });
      expect((await external.request('GET', '/api/me', { token: await sign({ tenant: 'acme' }) })).status).toBe(401);
      expect((await external.request('GET', '/api/me', { token: await sign({ tenant: 'acme', role: 'admin' }, 'someone-else') })).status).toBe(401);
      const password = await external.request('POST', '/api/me/password', {
        token: await sign({ tenant: 'acme', role: 'admin' }),
        body: { currentPassword: 'x', newPassword: 'a-long-enough-password' },
      });
      expect(password.status).toBe(409);
    } finally {
      await external.stop();
      await new Promise((r) => jwks.close(r));
    }
  });
});
