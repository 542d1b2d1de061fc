import { describe, expect, it } from 'vitest';
import type { DiagnosticResult } from '../lib/keystores/types.js';
import { TestProgressRecorder } from './test-progress.js';

const step = (name: DiagnosticResult['step'], status: DiagnosticResult['status'] = 'passed'): DiagnosticResult => ({
  step: name,
  status,
  message: `${name} ${status}`,
  durationMs: 1,
});

/** A store write that stays pending until the test releases it. */
function gatedStore() {
  const written: string[][] = [];
  const gates: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (steps: DiagnosticResult[]) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => gates.push(resolve));
    written.push(steps.map((s) => s.step));
    inFlight--;
  };
  const releaseAll = async () => {
    while (gates.length) {
      gates.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { write, written, gates, releaseAll, maxInFlight: () => maxInFlight };
}

describe('TestProgressRecorder', () => {
  it('never blocks the caller, writes one at a time in order, and merges steps that land during a write', async () => {
    const store = gatedStore();
    const recorder = new TestProgressRecorder(store.write, () => expect.fail('no write failed'));
    recorder.start();
    recorder.add(step('reachable'));
    await new Promise((r) => setTimeout(r, 0));
    // The first write (taken when it started) is in flight; the caller went on.
    expect(store.gates).toHaveLength(1);
    recorder.add(step('authenticated', 'failed'));
    recorder.add(step('key-exists', 'skipped'));
    recorder.add(step('enabled', 'skipped'));
    await store.releaseAll();
    await recorder.settled();
    expect(store.maxInFlight()).toBe(1);
    // The last write holds every step; intermediate ones were merged.
    expect(store.written.at(-1)).toEqual(['reachable', 'authenticated', 'key-exists', 'enabled']);
    expect(store.written.length).toBeLessThanOrEqual(3);
  });

  it('reports a failed write and keeps writing later steps', async () => {
    const errors: unknown[] = [];
    const written: number[] = [];
    let calls = 0;
    const recorder = new TestProgressRecorder(async (steps) => {
      if (calls++ === 0) throw new Error('store down');
      written.push(steps.length);
    }, (error) => errors.push(error));
    recorder.add(step('reachable'));
    await recorder.settled();
    recorder.add(step('authenticated'));
    await recorder.settled();
    expect(errors).toHaveLength(1);
    expect(written).toEqual([2]);
  });
});
