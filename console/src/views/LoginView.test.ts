import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import { createAppRouter } from '../router';
import { useSessionStore } from '../stores/session';
import { stubFetch } from '../testing/fake-fetch';
import LoginView from './LoginView.vue';

async function mountLogin(path = '/login') {
  const router = createAppRouter(createMemoryHistory());
  await router.push(path);
  await router.isReady();
  const wrapper = mount(LoginView, { global: { plugins: [router] }, attachTo: document.body });
  return { wrapper, router };
}

async function fill(wrapper: Awaited<ReturnType<typeof mountLogin>>['wrapper'], password = 'pw') {
  await wrapper.get('#login-tenantId').setValue('acme');
  await wrapper.get('#login-username').setValue('admin');
  await wrapper.get('#login-password').setValue(password);
  await wrapper.get('form').trigger('submit');
  await flushPromises();
}

beforeEach(() => {
  sessionStorage.clear();
  setActivePinia(createPinia());
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('LoginView', () => {
  it('shows missing fields inline without calling the API', async () => {
    const { calls } = stubFetch({ 'GET /healthz': { body: { status: 'ok' } } });
    const { wrapper } = await mountLogin();
    await wrapper.get('form').trigger('submit');
    expect(calls.filter((c) => c.url.startsWith('/api/'))).toEqual([]);
    expect(wrapper.get('#login-tenantId-error').text()).toBe('Enter your tenant id.');
    expect(wrapper.get('#login-password').attributes('aria-invalid')).toBe('true');
    wrapper.unmount();
  });

  it('shows a vague error on 401 and clears the password', async () => {
    stubFetch({ 'POST /api/auth/login': { status: 401, body: { error: { code: 'unauthenticated', message: 'bad' } } } });
    const { wrapper } = await mountLogin();
    await fill(wrapper);
    expect(wrapper.get('[data-testid="login-error"]').text()).toContain('The tenant id, user name or password is not right.');
    expect((wrapper.get('#login-password').element as HTMLInputElement).value).toBe('');
    wrapper.unmount();
  });

  it('shows the retry time of a 429 and blocks the button until then', async () => {
    stubFetch({ 'POST /api/auth/login': { status: 429, body: { error: { code: 'rate_limited', message: 'slow' } }, headers: { 'Retry-After': '30' } } });
    const { wrapper } = await mountLogin();
    await fill(wrapper);
    expect(wrapper.get('[data-testid="retry-after"]').text()).toMatch(/try again in 30 seconds/);
    expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeDefined();
    wrapper.unmount();
  });

  it('signs in and goes back to the page that was asked for (never off-site)', async () => {
    stubFetch({
      'POST /api/auth/login': { body: { token: 'jwt', expiresAt: new Date(Date.now() + 60_000).toISOString(), user: { username: 'admin', role: 'admin', tenantId: 'acme' } } },
    });
    const { wrapper, router } = await mountLogin('/login?redirect=/audit');
    await fill(wrapper);
    expect(useSessionStore().isAuthenticated).toBe(true);
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/audit'));
    wrapper.unmount();

    useSessionStore().end();
    const second = await mountLogin('/login?redirect=//evil.example/x');
    await fill(second.wrapper);
    await vi.waitFor(() => expect(second.router.currentRoute.value.fullPath).toBe('/'));
    second.wrapper.unmount();
  });
});

describe('API reachability on the login page', () => {
  it('says whether the API answers, so an outage is not mistaken for a wrong password', async () => {
    stubFetch({ 'GET /healthz': { body: { status: 'ok' } } });
    const ok = await mountLogin();
    await flushPromises();
    expect(ok.wrapper.get('[data-testid="api-status"]').text()).toBe('API: ok');
    ok.wrapper.unmount();

    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const down = await mountLogin();
    await flushPromises();
    expect(down.wrapper.get('[data-testid="api-status"]').text()).toBe('API: unreachable');
    expect(down.wrapper.text()).toContain('The OpenKCM API is not answering');
    down.wrapper.unmount();
  });
});

describe('router guard', () => {
  it('sends signed-out visitors to the login page with a redirect back', async () => {
    const router = createAppRouter(createMemoryHistory());
    await router.push('/services');
    expect(router.currentRoute.value.name).toBe('login');
    expect(router.currentRoute.value.query.redirect).toBe('/services');
  });
});
