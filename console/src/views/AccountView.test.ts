import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubFetch } from '../testing/fake-fetch';
import AccountView from './AccountView.vue';

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

async function submit(wrapper: ReturnType<typeof mount>, current: string, next: string, repeat = next) {
  await wrapper.get('#account-current').setValue(current);
  await wrapper.get('#account-new').setValue(next);
  await wrapper.get('#account-repeat').setValue(repeat);
  await wrapper.get('form').trigger('submit');
  await flushPromises();
}

describe('AccountView', () => {
  it('checks the new password before calling POST /api/me/password', async () => {
    const { calls } = stubFetch({ 'POST /api/me/password': { status: 204 } });
    const wrapper = mount(AccountView, { attachTo: document.body });
    await submit(wrapper, 'old-password', 'short');
    expect(wrapper.get('#account-new-error').text()).toMatch(/12 characters/);
    await submit(wrapper, 'old-password', 'a-long-new-password', 'a-different-one!!');
    expect(wrapper.get('#account-repeat-error').text()).toMatch(/differ/);
    expect(calls).toHaveLength(0);

    await submit(wrapper, 'old-password', 'a-long-new-password');
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/me/password', body: { currentPassword: 'old-password', newPassword: 'a-long-new-password' } });
    expect(wrapper.text()).toContain('Password changed');
    expect((wrapper.get('#account-current').element as HTMLInputElement).value).toBe('');
    wrapper.unmount();
  });

  it('shows a wrong current password on its field', async () => {
    stubFetch({
      'POST /api/me/password': { status: 400, body: { error: { code: 'invalid_request', message: 'bad', details: { fields: { currentPassword: 'is not right' } } } } },
    });
    const wrapper = mount(AccountView, { attachTo: document.body });
    await submit(wrapper, 'wrong-password', 'a-long-new-password');
    expect(wrapper.get('#account-current-error').text()).toBe('The current password is not right.');
    wrapper.unmount();
  });
});
