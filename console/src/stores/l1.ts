import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError, l1Api, type Activation, type L1Config, type L1ConfigInput, type L1State, type TestResult } from '../api';
import { asApiError } from './errors';

const ACTIVATION_POLL_MS = 1_000;
const STATE_POLL_MS = 15_000;

export type TestPhase = 'idle' | 'saving' | 'testing' | 'done' | 'error';

export interface TestRun {
  phase: TestPhase;
  /** Fingerprint of the form the run was for (see utils/l1-form formFingerprint). */
  fingerprint?: string;
  configId?: string;
  result?: TestResult;
  error?: ApiError;
  startedAt?: number;
}

/**
 * A failed connection test may come back as 200 `{ok: false, …}` or as 422 `l1_test_failed`
 * carrying the TestResult in its details; both render the same.
 */
export function testResultFromError(e: ApiError): TestResult | undefined {
  if (e.code !== 'l1_test_failed') return undefined;
  const details = e.details as { result?: unknown; steps?: unknown; failedStep?: unknown };
  const candidate = (details.result ?? details) as Partial<TestResult>;
  if (!Array.isArray(candidate.steps)) return undefined;
  return { ok: false, steps: candidate.steps, ...(candidate.failedStep ? { failedStep: candidate.failedStep } : {}) };
}

/** The L1 key: its state, its configurations, the connection test and activation. */
export const useL1Store = defineStore('l1', () => {
  const state = ref<L1State | undefined>();
  const stateError = ref<ApiError | undefined>();
  const configs = ref<L1Config[]>([]);
  const configsLoaded = ref(false);
  const configsError = ref<ApiError | undefined>();
  /** The configuration saved from the form as it was when last tested. */
  const draft = ref<{ configId: string; fingerprint: string } | undefined>();
  const test = ref<TestRun>({ phase: 'idle' });
  const activation = ref<Activation | undefined>();
  const activationError = ref<ApiError | undefined>();
  const activationStartedAt = ref<number | undefined>();
  let activationTimer: ReturnType<typeof setTimeout> | undefined;
  let stateTimer: ReturnType<typeof setTimeout> | undefined;

  const activationRunning = computed(() => activation.value?.status === 'running');
  const activeConfig = computed(() => configs.value.find((c) => c.state === 'active'));

  async function loadState(): Promise<void> {
    try {
      state.value = await l1Api.state();
      stateError.value = undefined;
    } catch (e) {
      stateError.value = asApiError(e);
    }
  }

  async function loadConfigs(): Promise<void> {
    try {
      configs.value = (await l1Api.configs()).items;
      configsError.value = undefined;
    } catch (e) {
      configsError.value = asApiError(e);
    } finally {
      configsLoaded.value = true;
    }
  }

  /** Keeps the status badge fresh (the health workflow can flip Active ↔ Error at any time). */
  function watchState(): void {
    clearTimeout(stateTimer);
    void loadState().finally(() => {
      stateTimer = setTimeout(watchState, STATE_POLL_MS);
    });
  }

  function stopWatchingState(): void {
    clearTimeout(stateTimer);
    stateTimer = undefined;
  }

  /**
   * Saves the form as a draft configuration (unless this exact form was saved already) and
   * runs the connection test on it.
   */
  async function runTest(input: L1ConfigInput, fingerprint: string): Promise<TestRun> {
    test.value = { phase: 'saving', fingerprint, startedAt: Date.now() };
    try {
      if (draft.value?.fingerprint !== fingerprint) {
        const config = await l1Api.createConfig(input);
        draft.value = { configId: config.id, fingerprint };
      }
      const configId = draft.value.configId;
      test.value = { ...test.value, phase: 'testing', configId };
      let result: TestResult;
      try {
        result = await l1Api.test(configId);
      } catch (e) {
        const failed = e instanceof ApiError ? testResultFromError(e) : undefined;
        if (!failed) throw e;
        result = failed;
      }
      test.value = { ...test.value, phase: 'done', result };
      void loadConfigs();
    } catch (e) {
      test.value = { ...test.value, phase: 'error', error: asApiError(e) };
    }
    return test.value;
  }

  /** Save & activate is allowed only for the exact form that just passed its test. */
  function canActivate(fingerprint: string): boolean {
    const run = test.value;
    return (
      run.phase === 'done' &&
      run.result?.ok === true &&
      run.fingerprint === fingerprint &&
      draft.value?.fingerprint === fingerprint &&
      !activationRunning.value
    );
  }

  let expectedRunId: string | undefined;

  /**
   * Right after "Save & activate" the API may still report the previous activation (same
   * workflow id); a run id or start time, when the API sends them, tells them apart.
   */
  function isStale(next: Activation): boolean {
    if (expectedRunId && next.runId) return next.runId !== expectedRunId;
    if (activationStartedAt.value && next.startedAt) return Date.parse(next.startedAt) < activationStartedAt.value - 30_000;
    return false;
  }

  async function loadActivation(): Promise<void> {
    try {
      const next = await l1Api.activation();
      if (isStale(next)) return;
      activation.value = next;
      activationError.value = undefined;
    } catch (e) {
      const error = asApiError(e);
      // No activation has ever run for this tenant.
      if (error.status === 404) activation.value = undefined;
      else activationError.value = error;
    }
  }

  async function pollActivation(): Promise<void> {
    clearTimeout(activationTimer);
    await loadActivation();
    if (activation.value?.status === 'running') {
      activationTimer = setTimeout(() => void pollActivation(), ACTIVATION_POLL_MS);
      return;
    }
    await Promise.all([loadState(), loadConfigs()]);
  }

  async function activate(fingerprint: string): Promise<boolean> {
    if (!canActivate(fingerprint) || !draft.value) return false;
    activationError.value = undefined;
    try {
      const { workflowId, runId } = await l1Api.activate(draft.value.configId);
      expectedRunId = runId;
      activationStartedAt.value = Date.now();
      activation.value = { workflowId, step: 'starting', status: 'running' };
      draft.value = undefined;
      test.value = { phase: 'idle' };
      activationTimer = setTimeout(() => void pollActivation(), ACTIVATION_POLL_MS / 2);
      void loadState();
      return true;
    } catch (e) {
      activationError.value = asApiError(e);
      return false;
    }
  }

  /** Picks up an activation already under way (page reload, another administrator). */
  async function resumeActivation(): Promise<void> {
    await loadActivation();
    if (activation.value?.status === 'running') await pollActivation();
  }

  async function rotate(confirm: string): Promise<number> {
    const { l2Version } = await l1Api.rotate(confirm);
    await loadState();
    return l2Version;
  }

  async function revoke(confirm: string, reason: string): Promise<void> {
    await l1Api.revoke(confirm, reason);
    await Promise.all([loadState(), loadConfigs()]);
  }

  /** Forget the test when the administrator changes the form or starts over. */
  function discardTest(): void {
    if (test.value.phase === 'saving' || test.value.phase === 'testing') return;
    test.value = { phase: 'idle' };
  }

  function stopPolling(): void {
    clearTimeout(activationTimer);
    stopWatchingState();
  }

  function reset(): void {
    stopPolling();
    state.value = undefined;
    stateError.value = undefined;
    configs.value = [];
    configsLoaded.value = false;
    configsError.value = undefined;
    draft.value = undefined;
    test.value = { phase: 'idle' };
    activation.value = undefined;
    activationError.value = undefined;
    activationStartedAt.value = undefined;
  }

  return {
    state,
    stateError,
    configs,
    configsLoaded,
    configsError,
    draft,
    test,
    activation,
    activationError,
    activationStartedAt,
    activationRunning,
    activeConfig,
    loadState,
    loadConfigs,
    watchState,
    stopWatchingState,
    runTest,
    canActivate,
    loadActivation,
    activate,
    resumeActivation,
    rotate,
    revoke,
    discardTest,
    stopPolling,
    reset,
  };
});
