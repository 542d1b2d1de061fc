import { defineStore } from 'pinia';
import { ref } from 'vue';
import { usageApi, type ApiError, type Usage } from '../api';
import { asApiError } from './errors';

/** KMIP operations per minute and latency, from GET /api/usage. */
export const useUsageStore = defineStore('usage', () => {
  const usage = ref<Usage | undefined>();
  const minutes = ref(60);
  const loading = ref(false);
  const error = ref<ApiError | undefined>();

  async function load(window = minutes.value): Promise<void> {
    minutes.value = window;
    loading.value = true;
    try {
      const next = await usageApi.get(window);
      // Idle minutes come as zeros; a latency of 0 ms there would draw a false dip.
      next.series = next.series.map((p) => (p.operations > 0 ? p : { ...p, p50Ms: null, p99Ms: null }));
      usage.value = next;
      error.value = undefined;
    } catch (e) {
      error.value = asApiError(e);
    } finally {
      loading.value = false;
    }
  }

  function reset(): void {
    usage.value = undefined;
    error.value = undefined;
  }

  return { usage, minutes, loading, error, load, reset };
});
