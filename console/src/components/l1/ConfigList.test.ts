import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { L1Config } from '../../api';
import { useL1Store } from '../../stores/l1';
import { stubFetch } from '../../testing/fake-fetch';
import ConfigList from './ConfigList.vue';

const config = (id: string, state: L1Config['state'], label = id): L1Config => ({
  id,
  kind: 'aws-kms',
  label,
  settings: {},
  secretsConfigured: ['secretAccessKey'],
  createdAt: '2026-01-01T00:00:00Z',
  createdBy: 'admin',
  state,
});

const CONFIGS = [config('active', 'active'), config('in-use', 'draft'), config('old', 'retired'), config('draft', 'draft', 'Failed draft')];

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

const deleteButtons = (wrapper: ReturnType<typeof mount>) =>
  wrapper.findAll('[data-testid="delete-config"]').map((b) => b.element.closest('tr')?.querySelector('th')?.textContent?.trim());

describe('ConfigList', () => {
  it('offers Delete to administrators for drafts and retired configurations the key does not use', () => {
    const wrapper = mount(ConfigList, { props: { configs: CONFIGS, canDelete: true, inUseId: 'in-use' } });
    expect(deleteButtons(wrapper)).toEqual(['old', 'Failed draft']);
    expect(wrapper.get('[data-testid="delete-config"]').text()).toBe('Delete configuration old');
    expect(deleteButtons(mount(ConfigList, { props: { configs: CONFIGS } }))).toEqual([]);
  });

  it('deletes after confirmation and says so; the row goes away', async () => {
    const { calls } = stubFetch({ 'DELETE /api/l1/configs/draft': { status: 204 } });
    const l1 = useL1Store();
    l1.configs = CONFIGS;
    const wrapper = mount(ConfigList, { props: { configs: l1.configs, canDelete: true }, attachTo: document.body });
    await wrapper.findAll('[data-testid="delete-config"]').at(-1)!.trigger('click');
    await flushPromises();
    expect(wrapper.get('dialog').text()).toContain('“Failed draft” and its stored secrets are deleted');
    expect(calls).toHaveLength(0);
    await wrapper.get('dialog form').trigger('submit');
    await flushPromises();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['DELETE /api/l1/configs/draft']);
    expect(l1.configs.map((c) => c.id)).toEqual(['active', 'in-use', 'old']);
    expect(wrapper.get('[role="status"]').text()).toBe('Configuration “Failed draft” deleted.');
  });

  it('shows why a deletion was refused', async () => {
    stubFetch({ 'DELETE /api/l1/configs/old': { status: 409, body: { error: { code: 'conflict', message: 'the L1 key (activating) uses this configuration' } } } });
    const l1 = useL1Store();
    l1.configs = CONFIGS;
    const wrapper = mount(ConfigList, { props: { configs: l1.configs, canDelete: true, inUseId: 'in-use' }, attachTo: document.body });
    await wrapper.findAll('[data-testid="delete-config"]')[0]!.trigger('click');
    await wrapper.get('dialog form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('dialog [role="alert"]').text()).toContain('uses this configuration');
    expect(l1.configs).toHaveLength(4);
  });
});
