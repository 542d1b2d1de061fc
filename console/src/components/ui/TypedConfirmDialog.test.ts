import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import TypedConfirmDialog from './TypedConfirmDialog.vue';

describe('TypedConfirmDialog', () => {
  it('enables the action only once the tenant id is typed exactly', async () => {
    const wrapper = mount(TypedConfirmDialog, {
      props: { open: false, title: 'Revoke?', expected: 'acme', confirmLabel: 'Revoke now' },
      attachTo: document.body,
    });
    await wrapper.setProps({ open: true });
    await nextTick();
    const input = wrapper.get('input');
    const confirm = wrapper.get('button[type="submit"]');
    expect(confirm.attributes('disabled')).toBeDefined();

    await input.setValue('acm');
    expect(confirm.attributes('disabled')).toBeDefined();
    expect(wrapper.text()).toContain('That is not the tenant id.');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.emitted('confirm')).toBeUndefined();

    await input.setValue('ACME');
    expect(confirm.attributes('disabled')).toBeDefined();

    await input.setValue('acme');
    expect(confirm.attributes('disabled')).toBeUndefined();
    await wrapper.get('form').trigger('submit');
    expect(wrapper.emitted('confirm')).toEqual([['acme']]);
    wrapper.unmount();
  });

  it('waits for extra fields (a reason) before confirming', async () => {
    const wrapper = mount(TypedConfirmDialog, {
      props: { open: true, title: 'Revoke?', expected: 'acme', confirmLabel: 'Revoke now', ready: false },
      attachTo: document.body,
    });
    await nextTick();
    await wrapper.get('input').setValue('acme');
    expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeDefined();
    await wrapper.setProps({ ready: true });
    expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it('clears what was typed when it opens again', async () => {
    const wrapper = mount(TypedConfirmDialog, {
      props: { open: true, title: 'Rotate?', expected: 'acme', confirmLabel: 'Rotate' },
      attachTo: document.body,
    });
    await nextTick();
    await wrapper.get('input').setValue('acme');
    await wrapper.setProps({ open: false });
    await wrapper.setProps({ open: true });
    await nextTick();
    expect((wrapper.get('input').element as HTMLInputElement).value).toBe('');
    wrapper.unmount();
  });
});
