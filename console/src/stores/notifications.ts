import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { notificationsApi, type ApiError, type Notification } from '../api';
import { asApiError } from './errors';

const POLL_MS = 30_000;

/** The notification centre: "OpenKCM is ready", "L1 key is active", escalations. */
export const useNotificationsStore = defineStore('notifications', () => {
  const items = ref<Notification[]>([]);
  const loaded = ref(false);
  const error = ref<ApiError | undefined>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const sorted = computed(() => [...items.value].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
  const unread = computed(() => items.value.filter((n) => !n.readAt));
  const unreadCount = computed(() => unread.value.length);

  async function load(): Promise<void> {
    try {
      items.value = (await notificationsApi.list()).items;
      error.value = undefined;
    } catch (e) {
      error.value = asApiError(e);
    } finally {
      loaded.value = true;
    }
  }

  function watch(): void {
    clearTimeout(timer);
    void load().finally(() => {
      timer = setTimeout(watch, POLL_MS);
    });
  }

  function stopWatching(): void {
    clearTimeout(timer);
  }

  async function markRead(id: string): Promise<void> {
    await notificationsApi.markRead(id);
    const item = items.value.find((n) => n.id === id);
    if (item && !item.readAt) item.readAt = new Date().toISOString();
  }

  /** One request for all of them; a notification that arrived since the last load is read too (the next load shows it). */
  async function markAllRead(): Promise<void> {
    await notificationsApi.markAllRead();
    const now = new Date().toISOString();
    for (const item of items.value) item.readAt ??= now;
  }

  function reset(): void {
    stopWatching();
    items.value = [];
    loaded.value = false;
    error.value = undefined;
  }

  return { items, sorted, loaded, error, unread, unreadCount, load, watch, stopWatching, markRead, markAllRead, reset };
});
