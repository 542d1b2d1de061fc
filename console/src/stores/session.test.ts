import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubFetch } from '../testing/fake-fetch';
import { useSessionStore } from './session';

const USER = { username: 'admin', role: 'admin', tenantId: 'acme' };

beforeEach(() => {
  sessionStorage.clear();
  setActivePinia(createPinia());
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('session store', () => {
  it('logs in through POST /api/auth/login and keeps the token in sessionStorage', async () => {
    const { calls } = stubFetch({
      'POST /api/auth/login': { body: { token: 'jwt', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: USER } },
    });
    const session = useSessionStore();
    await session.login(' acme ', 'admin', 'pw');
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/auth/login', body: { tenantId: 'acme', username: 'admin', password: 'pw' } });
    expect(session.isAuthenticated).toBe(true);
    expect(session.isAdmin).toBe(true);
    expect(session.tenantId).toBe('acme');
    expect(JSON.parse(sessionStorage.getItem('openkcm.session') ?? '{}')).toMatchObject({ token: 'jwt', user: USER });
    // The password is never stored.
    expect(sessionStorage.getItem('openkcm.session')).not.toContain('pw"');
  });

  it('restores a stored session, and drops an expired one', () => {
    sessionStorage.setItem('openkcm.session', JSON.stringify({ token: 'jwt', expiresAt: new Date(Date.now() + 60_000).toISOString(), user: USER }));
    expect(useSessionStore().isAuthenticated).toBe(true);

    setActivePinia(createPinia());
    sessionStorage.setItem('openkcm.session', JSON.stringify({ token: 'jwt', expiresAt: new Date(Date.now() - 1).toISOString(), user: USER }));
    expect(useSessionStore().isAuthenticated).toBe(false);
    expect(sessionStorage.getItem('openkcm.session')).toBeNull();
  });

  it('ends itself when the token expires', () => {
    vi.useFakeTimers();
    sessionStorage.setItem('openkcm.session', JSON.stringify({ token: 'jwt', expiresAt: new Date(Date.now() + 5_000).toISOString(), user: USER }));
    const session = useSessionStore();
    expect(session.isAuthenticated).toBe(true);
    vi.advanceTimersByTime(5_001);
    expect(session.isAuthenticated).toBe(false);
    expect(session.endReason).toBe('expired');
  });

  it('propagates a failed login without storing anything', async () => {
    stubFetch({ 'POST /api/auth/login': { status: 401, body: { error: { code: 'unauthenticated', message: 'no' } } } });
    const session = useSessionStore();
    await expect(session.login('acme', 'admin', 'bad')).rejects.toMatchObject({ status: 401 });
    expect(session.isAuthenticated).toBe(false);
    expect(sessionStorage.getItem('openkcm.session')).toBeNull();
  });
});
