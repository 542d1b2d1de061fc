import { afterAll, beforeAll, vi } from 'vitest';
import { startTestApi, type TestApi, type TestApiOptions } from './harness.js';
import { startFerretDb, startTemporal, type RunningServer } from './servers.js';

export interface UseTestApiOptions extends Omit<TestApiOptions, 'mongoUri' | 'temporalAddress'> {
  /** Also start a Temporal dev server and point the API's client at it. */
  temporal?: boolean;
}

/**
 * The API a test file runs against, on its own FerretDB (and Temporal dev server when asked):
 * started in a beforeAll registered here and stopped in an afterAll, so the hooks the file
 * registers afterwards (seeding) run with it up. The returned object stands for the started
 * API: use it inside tests and hooks, not at module top level.
 */
export function useTestApi(options: UseTestApiOptions = {}): TestApi {
  // Real servers on a 2-core machine running many test files at once: allow for slow moments.
  vi.setConfig({ testTimeout: 30_000, hookTimeout: 120_000 });
  const { temporal: withTemporal, ...apiOptions } = options;
  let ferret: (RunningServer & { uri: string }) | undefined;
  let temporal: (RunningServer & { address: string }) | undefined;
  let started: TestApi | undefined;
  beforeAll(async () => {
    [ferret, temporal] = await Promise.all([startFerretDb(), withTemporal ? startTemporal() : undefined]);
    started = await startTestApi({ ...apiOptions, mongoUri: ferret.uri, ...(temporal ? { temporalAddress: temporal.address } : {}) });
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
    await Promise.all([ferret?.stop(), temporal?.stop()]);
  });
  return new Proxy({} as TestApi, {
    get(_, key) {
      if (!started) throw new Error('the test API is not started yet: use it inside tests and hooks');
      return Reflect.get(started, key) as unknown;
    },
  });
}
