import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { authApi, type User } from '../api';

const STORAGE_KEY = 'openkcm.session';

interface StoredSession {
  token: string;
  expiresAt: string;
  user: User;
}

function readStored(): StoredSession | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as StoredSession;
    if (!parsed.token || !parsed.user || Date.parse(parsed.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(STORAGE_KEY);
      return undefined;
    }
    return parsed;
  } catch {
    return undefined;
  }
}

/** Why the administrator is looking at the login page again, shown there. */
export type EndReason = 'signed-out' | 'expired' | 'unauthorized';

/**
 * The signed-in administrator. The token lives in sessionStorage: it survives a reload but
 * not closing the tab, and is never shared with other tabs.
 */
export const useSessionStore = defineStore('session', () => {
  const stored = readStored();
  const token = ref<string | undefined>(stored?.token);
  const expiresAt = ref<string | undefined>(stored?.expiresAt);
  const user = ref<User | undefined>(stored?.user);
  const endReason = ref<EndReason | undefined>();
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;

  const isAuthenticated = computed(() => !!token.value && !!user.value);
  const isAdmin = computed(() => user.value?.role === 'admin');
  const tenantId = computed(() => user.value?.tenantId ?? '');

  function scheduleExpiry(): void {
    clearTimeout(expiryTimer);
    if (!expiresAt.value) return;
    const ms = Date.parse(expiresAt.value) - Date.now();
    // setTimeout overflows past ~24.8 days; a console session never lasts that long.
    if (ms > 0 && ms < 2 ** 31 - 1) expiryTimer = setTimeout(() => end('expired'), ms);
  }

  async function login(tenant: string, username: string, password: string): Promise<void> {
    const res = await authApi.login({ tenantId: tenant.trim(), username: username.trim(), password });
    token.value = res.token;
    expiresAt.value = res.expiresAt;
    user.value = res.user;
    endReason.value = undefined;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token: res.token, expiresAt: res.expiresAt, user: res.user }));
    scheduleExpiry();
  }

  /** Ends the session locally (tokens are stateless JWTs; there is no logout route). */
  function end(reason: EndReason = 'signed-out'): void {
    clearTimeout(expiryTimer);
    token.value = undefined;
    expiresAt.value = undefined;
    user.value = undefined;
    endReason.value = reason;
    sessionStorage.removeItem(STORAGE_KEY);
  }

  scheduleExpiry();

  return { token, expiresAt, user, endReason, isAuthenticated, isAdmin, tenantId, login, end };
});
