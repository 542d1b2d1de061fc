import { defineStore } from 'pinia';
import { ref } from 'vue';
import { servicesApi, type ApiError, type RevocationReason, type CertificateRequest, type IssuedCertificate, type Service, type ServiceDetail, type Snippets } from '../api';
import { asApiError } from './errors';

/** MongoDB service identities, their certificates and connection snippets. */
export const useServicesStore = defineStore('services', () => {
  const items = ref<Service[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<ApiError | undefined>();

  const current = ref<ServiceDetail | undefined>();
  const currentError = ref<ApiError | undefined>();
  const snippets = ref<Snippets | undefined>();
  const snippetsError = ref<ApiError | undefined>();
  /** The last issued bundle: private key and PKCS#12 password exist only here, once. */
  const issued = ref<IssuedCertificate | undefined>();

  async function load(): Promise<void> {
    loading.value = true;
    try {
      items.value = (await servicesApi.list()).items;
      error.value = undefined;
    } catch (e) {
      error.value = asApiError(e);
    } finally {
      loading.value = false;
      loaded.value = true;
    }
  }

  async function register(serviceId: string, description: string): Promise<Service> {
    const service = await servicesApi.create({ serviceId: serviceId.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
    await load();
    return service;
  }

  async function open(serviceId: string): Promise<void> {
    if (current.value?.serviceId !== serviceId) {
      current.value = undefined;
      snippets.value = undefined;
      issued.value = undefined;
    }
    currentError.value = undefined;
    snippetsError.value = undefined;
    const [detail, snippet] = await Promise.allSettled([servicesApi.get(serviceId), servicesApi.snippets(serviceId)]);
    if (detail.status === 'fulfilled') current.value = detail.value;
    else currentError.value = asApiError(detail.reason);
    if (snippet.status === 'fulfilled') snippets.value = snippet.value;
    else snippetsError.value = asApiError(snippet.reason);
  }

  async function refreshCurrent(): Promise<void> {
    if (!current.value) return;
    try {
      current.value = await servicesApi.get(current.value.serviceId);
    } catch (e) {
      currentError.value = asApiError(e);
    }
  }

  async function issueCertificate(serviceId: string, request: CertificateRequest): Promise<IssuedCertificate> {
    const bundle = await servicesApi.issueCertificate(serviceId, request);
    issued.value = bundle;
    await refreshCurrent();
    return bundle;
  }

  /** Collects the bundle provisioning generated (private key included), which the API hands out once. */
  async function collectBundle(serviceId: string): Promise<IssuedCertificate> {
    const bundle = await servicesApi.bundle(serviceId);
    issued.value = bundle;
    await refreshCurrent();
    return bundle;
  }

  /** Drops the one-time private key and password from memory. */
  function forgetIssued(): void {
    issued.value = undefined;
  }

  async function revokeCertificate(serviceId: string, serial: string, reason?: RevocationReason): Promise<void> {
    await servicesApi.revokeCertificate(serviceId, serial, reason);
    await refreshCurrent();
  }

  function reset(): void {
    items.value = [];
    loaded.value = false;
    error.value = undefined;
    current.value = undefined;
    currentError.value = undefined;
    snippets.value = undefined;
    snippetsError.value = undefined;
    issued.value = undefined;
  }

  return {
    items,
    loaded,
    loading,
    error,
    current,
    currentError,
    snippets,
    snippetsError,
    issued,
    load,
    register,
    open,
    refreshCurrent,
    issueCertificate,
    collectBundle,
    forgetIssued,
    revokeCertificate,
    reset,
  };
});
