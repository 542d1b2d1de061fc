import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  ApiError,
  l1Api,
  type Activation,
  type ConnectionTest,
  type ConnectionTestStep,
  type L1Config,
  type L1ConfigInput,
  type L1State,
  type TestResult,
} from '../api';
import { asApiError } from './errors';

const ACTIVATION_POLL_MS = 1_000;
const STATE_POLL_MS = 15_000;
/** How often a running connection test is asked for its steps. */
export const TEST_POLL_MS = 250;
/** A test the worker never finishes (no worker running) ends as an error after this long. */
export const TEST_GIVE_UP_MS = 180_000;

export type TestPhase = 'idle' | 'saving' | 'testing' | 'done' | 'error';

export interface TestRun {
  phase: TestPhase;
  /** Fingerprint of the form the run was for (see utils/l1-form formFingerprint). */
  fingerprint?: string;
  configId?: string;
  testId?: string;
  /** The steps so far while the test runs (pending ones included), as the API last reported them. */
  steps?: ConnectionTestStep[];
  result?: TestResult;
  error?: ApiError;
  startedAt?: number;
}

/** The run was superseded (sign-out): stop quietly, its outcome no longer matters. */
class Superseded extends Error {}

/** A poll that failed for a reason worth asking again (network, API or Temporal briefly down). */
function transient(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504);
}

/** The L1 key: its state, its configurations, the connection test and activation. */
export const useL1Store = defineStore('l1', () => {
  const state = ref<L1State | undefined>();
  const stateError = ref<ApiError | undefined>();
  const configs = ref<L1Config[]>([]);
  const configsLoaded = ref(false);
  const configsError = ref<ApiError | undefined>();
  /** The configuration saved from the form as it was when last tested, and whether that test passed. */
  const draft = ref<{ configId: string; fingerprint: string; passed: boolean } | undefined>();
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

  /** Bumped by reset(): a test still polling for a previous session stops. */
  let testGeneration = 0;

  /**
   * Saves the form as a draft configuration (unless this exact form was saved already), starts
   * the connection test on it and polls it, so each step shows as soon as it finished. A draft
   * that never passed is deleted when a new one replaces it, so drafts do not pile up.
   */
  async function runTest(input: L1ConfigInput, fingerprint: string): Promise<TestRun> {
    const generation = testGeneration;
    test.value = { phase: 'saving', fingerprint, startedAt: Date.now() };
    try {
      if (draft.value?.fingerprint !== fingerprint) {
        const replaced = draft.value;
        const config = await l1Api.createConfig(input);
        draft.value = { configId: config.id, fingerprint, passed: false };
        // Best effort: a draft that cannot be deleted (already gone, in use) just stays listed.
        if (replaced && !replaced.passed) await l1Api.deleteConfig(replaced.configId).catch(() => undefined);
      }
      const current = draft.value;
      test.value = { ...test.value, phase: 'testing', configId: current.configId };
      const { testId } = await l1Api.startTest(current.configId);
      if (generation !== testGeneration) throw new Superseded();
      test.value = { ...test.value, testId };
      const result = await pollTest(current.configId, testId, generation);
      current.passed = result.ok;
      test.value = { ...test.value, phase: 'done', result, steps: result.steps };
      void loadConfigs();
    } catch (e) {
      if (e instanceof Superseded || generation !== testGeneration) return test.value;
      test.value = { ...test.value, phase: 'error', error: asApiError(e) };
      void loadConfigs();
    }
    return test.value;
  }

  /** Asks for the test's steps every TEST_POLL_MS until it completed (→ its result) or failed (→ throws why). */
  async function pollTest(configId: string, testId: string, generation: number): Promise<TestResult> {
    const giveUpAt = Date.now() + TEST_GIVE_UP_MS;
    for (;;) {
      let current: ConnectionTest | undefined;
      try {
        current = await l1Api.testRun(configId, testId);
      } catch (e) {
        if (!transient(e) || Date.now() > giveUpAt) throw e;
      }
      if (generation !== testGeneration) throw new Superseded();
      if (current) {
        test.value = { ...test.value, steps: current.steps };
        if (current.status === 'completed' && current.result) return current.result;
        if (current.status === 'failed') throw new ApiError(502, 'test_failed', current.reason ?? 'the test could not run to the end');
      }
      if (Date.now() > giveUpAt) {
        throw new ApiError(504, 'test_timeout', 'The test did not finish in time. Is the OpenKCM worker running? Try again.');
      }
      await new Promise((resolve) => setTimeout(resolve, TEST_POLL_MS));
    }
  }

  /** Deletes a configuration that is not in use; the form's draft, if it was this one, is forgotten. */
  async function deleteConfig(configId: string): Promise<void> {
    await l1Api.deleteConfig(configId);
    configs.value = configs.value.filter((c) => c.id !== configId);
    if (draft.value?.configId === configId) {
      draft.value = undefined;
      if (test.value.phase !== 'saving' && test.value.phase !== 'testing') test.value = { phase: 'idle' };
    }
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
    testGeneration++;
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
    deleteConfig,
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
