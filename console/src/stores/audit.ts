import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { auditApi, type ApiError, type AuditEvent, type AuditQuery, type AuditResult, type AuditVerification, type Download } from '../api';
import { asApiError } from './errors';

/** What the filter form edits; times are `datetime-local` values in the viewer's time zone. */
export interface AuditFilters {
  from: string;
  to: string;
  actor: string;
  operation: string;
  result: '' | AuditResult;
  serviceId: string;
  crossTenant: boolean;
}

export function emptyAuditFilters(): AuditFilters {
  return { from: '', to: '', actor: '', operation: '', result: '', serviceId: '', crossTenant: false };
}

function isoFromLocal(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The query the API understands, from the form's filters. */
export function toAuditQuery(filters: AuditFilters, limit: number): AuditQuery {
  const query: AuditQuery = { limit };
  const from = isoFromLocal(filters.from);
  const to = isoFromLocal(filters.to);
  if (from) query.from = from;
  if (to) query.to = to;
  if (filters.actor.trim()) query.actor = filters.actor.trim();
  if (filters.operation.trim()) query.operation = filters.operation.trim();
  if (filters.result) query.result = filters.result;
  if (filters.serviceId.trim()) query.serviceId = filters.serviceId.trim();
  if (filters.crossTenant) query.crossTenant = true;
  return query;
}

/** The audit log with cursor paging: the API gives "next"; "previous" is our own stack. */
export const useAuditStore = defineStore('audit', () => {
  const filters = ref<AuditFilters>(emptyAuditFilters());
  const applied = ref<AuditQuery>({ limit: 50 });
  const pageSize = ref(50);
  const items = ref<AuditEvent[]>([]);
  const nextCursor = ref<string | undefined>();
  /** Cursors of the pages before the current one (undefined = the first page). */
  const previousCursors = ref<(string | undefined)[]>([]);
  const currentCursor = ref<string | undefined>();
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<ApiError | undefined>();
  const verification = ref<AuditVerification | undefined>();
  const verifying = ref(false);
  const verifyError = ref<ApiError | undefined>();
  const exporting = ref<'csv' | 'json' | undefined>();
  const exportError = ref<ApiError | undefined>();

  const pageNumber = computed(() => previousCursors.value.length + 1);
  const hasPrevious = computed(() => previousCursors.value.length > 0);
  const hasNext = computed(() => !!nextCursor.value);

  async function fetchPage(cursor: string | undefined): Promise<boolean> {
    loading.value = true;
    try {
      const page = await auditApi.list({ ...applied.value, ...(cursor ? { cursor } : {}) });
      items.value = page.items;
      nextCursor.value = page.nextCursor;
      currentCursor.value = cursor;
      error.value = undefined;
      return true;
    } catch (e) {
      error.value = asApiError(e);
      return false;
    } finally {
      loading.value = false;
      loaded.value = true;
    }
  }

  /** Applies the form's filters and goes back to the first page. */
  async function search(): Promise<void> {
    applied.value = toAuditQuery(filters.value, pageSize.value);
    if (await fetchPage(undefined)) previousCursors.value = [];
  }

  async function next(): Promise<void> {
    if (!nextCursor.value) return;
    const from = currentCursor.value;
    if (await fetchPage(nextCursor.value)) previousCursors.value.push(from);
  }

  async function previous(): Promise<void> {
    if (!previousCursors.value.length) return;
    const cursor = previousCursors.value[previousCursors.value.length - 1];
    if (await fetchPage(cursor)) previousCursors.value.pop();
  }

  function clearFilters(): void {
    filters.value = emptyAuditFilters();
  }

  async function verify(): Promise<void> {
    verifying.value = true;
    try {
      verification.value = await auditApi.verify();
      verifyError.value = undefined;
    } catch (e) {
      verifyError.value = asApiError(e);
    } finally {
      verifying.value = false;
    }
  }

  /** Exports everything matching the applied filters (not just this page). */
  async function exportAs(format: 'csv' | 'json'): Promise<Download | undefined> {
    exporting.value = format;
    try {
      const file = await auditApi.export(applied.value, format);
      exportError.value = undefined;
      return file;
    } catch (e) {
      exportError.value = asApiError(e);
      return undefined;
    } finally {
      exporting.value = undefined;
    }
  }

  function reset(): void {
    filters.value = emptyAuditFilters();
    applied.value = { limit: pageSize.value };
    items.value = [];
    nextCursor.value = undefined;
    previousCursors.value = [];
    currentCursor.value = undefined;
    loaded.value = false;
    error.value = undefined;
    verification.value = undefined;
    verifyError.value = undefined;
    exportError.value = undefined;
  }

  return {
    filters,
    applied,
    pageSize,
    items,
    nextCursor,
    loading,
    loaded,
    error,
    verification,
    verifying,
    verifyError,
    exporting,
    exportError,
    pageNumber,
    hasPrevious,
    hasNext,
    search,
    next,
    previous,
    clearFilters,
    verify,
    exportAs,
    reset,
  };
});
