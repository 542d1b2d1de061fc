import type { DiagnosticResult } from '../lib/keystores/types.js';

/**
 * Records a connection test's steps in the store as they land, without making the test wait
 * for the store. Each step schedules a write of all steps so far behind the previous write, so
 * writes never overlap and the last one written is the newest; steps that land while a write
 * is waiting share it (a failure and its skipped steps become one write). A failed write is
 * handed to `onError` and stops neither the test nor later writes. `settled()` resolves once
 * everything scheduled is written — await it before the activity returns.
 */
export class TestProgressRecorder {
  private readonly steps: DiagnosticResult[] = [];
  private chain: Promise<void> = Promise.resolve();
  private queued = false;

  constructor(
    private readonly write: (steps: DiagnosticResult[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Writes the empty progress, so a reader sees the test started even before its first step. */
  start(): void {
    this.schedule();
  }

  add(step: DiagnosticResult): void {
    this.steps.push(step);
    this.schedule();
  }

  settled(): Promise<void> {
    return this.chain;
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      try {
        await this.write([...this.steps]);
      } catch (error) {
        this.onError(error);
      }
    });
  }
}
