import { defineStore } from 'pinia';
import { ref } from 'vue';
import { tenantApi, type ApiError, type Tenant } from '../api';
import { asApiError } from './errors';

const PROVISIONING_POLL_MS = 2_000;
/** Once ready, still refresh now and then: the health workflow can flip the L1 status. */
const STEADY_POLL_MS = 15_000;

/** The tenant overview: OpenKCM services status, L1 summary, KMIP endpoint, service count. */
export const useTenantStore = defineStore('tenant', () => {
  const tenant = ref<Tenant | undefined>();
  const loading = ref(false);
  const error = ref<ApiError | undefined>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watching = false;

  async function load(): Promise<void> {
    loading.value = true;
    try {
      tenant.value = await tenantApi.get();
      error.value = undefined;
    } catch (e) {
      error.value = asApiError(e);
    } finally {
      loading.value = false;
    }
  }

  /** Loads now, then keeps reloading: every 2 s while something is under way, else every 15 s. */
  async function watch(): Promise<void> {
    watching = true;
    clearTimeout(timer);
    await load();
    if (!watching || error.value?.status === 401) return;
    const status = tenant.value?.status;
    const busy = !tenant.value || status === 'provisioning' || status === 'offboarding' || tenant.value.l1.status === 'activating';
    timer = setTimeout(() => void watch(), busy ? PROVISIONING_POLL_MS : STEADY_POLL_MS);
  }

  function stopWatching(): void {
    watching = false;
    clearTimeout(timer);
  }

  function reset(): void {
    stopWatching();
    tenant.value = undefined;
    error.value = undefined;
  }

  return { tenant, loading, error, load, watch, stopWatching, reset };
});
