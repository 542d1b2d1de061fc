import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useNotificationsStore } from '../../stores/notifications';
import { stubFetch } from '../../testing/fake-fetch';
import NotificationCentre from './NotificationCentre.vue';

const note = (id: string, readAt?: string) => ({ id, kind: 'l1-error', title: `Note ${id}`, message: 'm', createdAt: `2026-01-0${id}T00:00:00Z`, ...(readAt ? { readAt } : {}) });

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('NotificationCentre', () => {
  it('"Mark all read" marks every unread notification with one request', async () => {
    const { calls } = stubFetch({
      'GET /api/notifications': { body: { items: [note('1'), note('2', '2026-01-05T00:00:00Z'), note('3')] } },
      'POST /api/notifications/read-all': { body: { marked: 2 } },
    });
    await useNotificationsStore().load();
    const wrapper = mount(NotificationCentre, { attachTo: document.body });
    expect(wrapper.get('[data-testid="unread-count"]').text()).toBe('2');
    await wrapper.get('[data-testid="notification-button"]').trigger('click');
    await flushPromises();
    await wrapper.get('button.btn-small').trigger('click');
    await flushPromises();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual(['/api/notifications/read-all']);
    expect(wrapper.find('[data-testid="unread-count"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="notification-button"]').attributes('aria-label')).toBe('Notifications, none unread');
  });
});
