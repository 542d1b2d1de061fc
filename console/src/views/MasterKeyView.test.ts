import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { configureClient } from '../api';
import { useSessionStore } from '../stores/session';
import { stubFetch } from '../testing/fake-fetch';
import MasterKeyView from './MasterKeyView.vue';

const ARN = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const STEPS = ['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip'];
const passing = { ok: true, steps: STEPS.map((step) => ({ step, status: 'passed', message: 'ok', durationMs: 1 })) };
const failing = {
  ok: false,
  failedStep: 'key-exists',
  steps: STEPS.map((step, i) => ({ step, status: i < 2 ? 'passed' : i === 2 ? 'failed' : 'skipped', message: i === 2 ? 'NotFoundException' : 'ok', durationMs: 1 })),
};

let testReply: unknown;

async function mountView(role: 'admin' | 'auditor' = 'admin') {
  sessionStorage.setItem(
    'openkcm.session',
    JSON.stringify({ token: 't', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: { username: 'u', role, tenantId: 'acme' } }),
  );
  setActivePinia(createPinia());
  const session = useSessionStore();
  configureClient({ getToken: () => session.token, onUnauthorized: () => {} });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }] });
  const wrapper = mount(MasterKeyView, { global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

async function fillAws(wrapper: Awaited<ReturnType<typeof mountView>>, arn = ARN) {
  await wrapper.get('#l1-label').setValue('Prod');
  await wrapper.get('#aws-keyArn').setValue(arn);
  await wrapper.get('#aws-accessKeyId').setValue('AKIAIOSFODNN7EXAMPLE');
  await wrapper.get('#aws-secretAccessKey').setValue('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
}

const saveButton = (wrapper: Awaited<ReturnType<typeof mountView>>) => wrapper.get('[data-testid="save-button"]');

beforeEach(() => {
  sessionStorage.clear();
  testReply = passing;
  stubFetch({
    'GET /api/l1': { body: { status: 'inactive', changedAt: '2026-01-01T00:00:00Z' } },
    'GET /api/l1/configs': { body: { items: [] } },
    'POST /api/l1/configs': { status: 201, body: { id: 'cfg-1' } },
    'POST /api/l1/configs/cfg-1/tests': { status: 202, body: { testId: 't1' } },
    'GET /api/l1/configs/cfg-1/tests/t1': () => ({
      body: typeof testReply === 'function' ? (testReply as () => unknown)() : { testId: 't1', status: 'completed', startedAt: '2026-01-01T00:00:00Z', steps: (testReply as typeof passing).steps, result: testReply },
    }),
    'POST /api/l1/configs/cfg-1/activate': { status: 202, body: { workflowId: 'w' } },
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('MasterKeyView', () => {
  it('keeps Save & activate disabled until a test of this exact form passes', async () => {
    const wrapper = await mountView();
    expect(saveButton(wrapper).attributes('disabled')).toBeDefined();
    await fillAws(wrapper);
    expect(saveButton(wrapper).attributes('disabled')).toBeDefined();

    await wrapper.get('form[aria-labelledby="configure-heading"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="test-panel"]').attributes('data-phase')).toBe('done');
    expect(saveButton(wrapper).attributes('disabled')).toBeUndefined();

    // Any change to what would be saved locks it again until the next test.
    await wrapper.get('#aws-secretAccessKey').setValue('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ');
    expect(saveButton(wrapper).attributes('disabled')).toBeDefined();
    expect(wrapper.find('[data-testid="test-stale"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('keeps it disabled after a failing test and shows the failing step', async () => {
    testReply = failing;
    const wrapper = await mountView();
    await fillAws(wrapper);
    await wrapper.get('form[aria-labelledby="configure-heading"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('li[data-step="key-exists"]').attributes('data-status')).toBe('failed');
    expect(wrapper.get('li[data-step="key-exists"]').text()).toContain('NotFoundException');
    expect(saveButton(wrapper).attributes('disabled')).toBeDefined();
    expect(wrapper.get('#save-hint').text()).toContain('The last test failed');
    wrapper.unmount();
  });

  it('shows each step live while the test runs, with Save & activate locked until it passed', async () => {
    vi.useFakeTimers();
    const polls = [1, 3];
    testReply = () => {
      const done = polls.shift();
      if (done === undefined) return { testId: 't1', status: 'completed', startedAt: '2026-01-01T00:00:00Z', steps: passing.steps, result: passing };
      return {
        testId: 't1',
        status: 'running',
        startedAt: '2026-01-01T00:00:00Z',
        steps: STEPS.map((step, i) => (i < done ? { step, status: 'passed', message: `${step} ok`, durationMs: 2 } : { step, status: 'pending' })),
      };
    };
    const wrapper = await mountView();
    await fillAws(wrapper);
    await wrapper.get('form[aria-labelledby="configure-heading"]').trigger('submit');
    await vi.advanceTimersByTimeAsync(0);
    const panel = () => wrapper.get('[data-testid="test-panel"]');
    const stepStatuses = () => wrapper.findAll('li[data-step]').map((li) => li.attributes('data-status'));
    expect(panel().attributes('data-phase')).toBe('testing');
    expect(stepStatuses()).toEqual(['passed', 'running', 'waiting', 'waiting', 'waiting', 'waiting']);
    expect(wrapper.get('[data-testid="test-button"]').attributes('disabled')).toBeDefined();
    expect(saveButton(wrapper).attributes('disabled')).toBeDefined();

    await vi.advanceTimersByTimeAsync(250);
    expect(stepStatuses()).toEqual(['passed', 'passed', 'passed', 'running', 'waiting', 'waiting']);
    expect(wrapper.findAll('[data-testid="test-announcements"] li')).toHaveLength(3);
    expect(saveButton(wrapper).attributes('disabled')).toBeDefined();

    await vi.advanceTimersByTimeAsync(250);
    expect(panel().attributes('data-phase')).toBe('done');
    expect(stepStatuses()).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
    expect(saveButton(wrapper).attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it('does not call the API while the form is invalid, and shows the problems inline', async () => {
    const fetch = globalThis.fetch as unknown as ReturnType<typeof vi.fn>;
    const wrapper = await mountView();
    await fillAws(wrapper, 'arn:aws:kms:eu-central-1:123:key/x');
    const before = fetch.mock.calls.length;
    await wrapper.get('form[aria-labelledby="configure-heading"]').trigger('submit');
    await flushPromises();
    expect(fetch.mock.calls.length).toBe(before);
    expect(wrapper.get('#aws-keyArn').attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('#aws-keyArn-error').text()).toBe('The account id must be 12 digits.');
    expect(wrapper.get('#aws-keyArn').attributes('aria-describedby')).toContain('aws-keyArn-error');
    expect(document.activeElement?.id).toBe('aws-keyArn');
    wrapper.unmount();
  });

  it('derives the region from the ARN until it is edited, and never pre-fills secrets', async () => {
    const wrapper = await mountView();
    await wrapper.get('#aws-keyArn').setValue('arn:aws:kms:ap-south-1:111122223333:alias/prod');
    expect((wrapper.get('#aws-region').element as HTMLInputElement).value).toBe('ap-south-1');
    await wrapper.get('#aws-region').setValue('ap-south-2');
    await wrapper.get('#aws-keyArn').setValue(ARN);
    expect((wrapper.get('#aws-region').element as HTMLInputElement).value).toBe('ap-south-2');
    expect(wrapper.get('#aws-secretAccessKey').attributes('type')).toBe('password');
    expect((wrapper.get('#aws-secretAccessKey').element as HTMLInputElement).value).toBe('');
    wrapper.unmount();
  });

  it('activates the tested configuration and then forgets the secrets', async () => {
    const wrapper = await mountView();
    await fillAws(wrapper);
    await wrapper.get('form[aria-labelledby="configure-heading"]').trigger('submit');
    await flushPromises();
    await saveButton(wrapper).trigger('click');
    await flushPromises();
    const fetch = globalThis.fetch as unknown as ReturnType<typeof vi.fn>;
    expect(fetch.mock.calls.some(([url, init]) => url === '/api/l1/configs/cfg-1/activate' && (init as RequestInit).method === 'POST')).toBe(true);
    expect((wrapper.get('#aws-secretAccessKey').element as HTMLInputElement).value).toBe('');
    expect(wrapper.find('[data-testid="activation"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('shows auditors the status but no form', async () => {
    const wrapper = await mountView('auditor');
    expect(wrapper.find('[data-testid="save-button"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('signed in as an auditor');
    wrapper.unmount();
  });
});
