import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
import { skippedLines } from '../../devstack/summary.js';

/**
 * The line CI reads, `N passed, N failed`. Skipped tests are neither; a module that failed
 * to load counts as one failure, and so does each unhandled error.
 *
 * Under `npm test` (OPENKCM_SUMMARY_FILE set) the counts go to that file instead, and the
 * dev-stack CLI prints the line itself after the test stack is torn down, so it really is
 * the last line of the output. Plain `npx vitest` prints it here.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    // Skips are listed by file, so an emulator that silently went missing cannot hide.
    const skipped: Record<string, number> = {};
    for (const testModule of testModules) {
      let testsInModule = 0;
      for (const test of testModule.children.allTests()) {
        testsInModule++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else if (state === 'skipped') skipped[testModule.relativeModuleId] = (skipped[testModule.relativeModuleId] ?? 0) + 1;
      }
      if (testsInModule === 0 && testModule.state() === 'failed') failed++;
    }
    const file = process.env.OPENKCM_SUMMARY_FILE;
    if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
    else process.stdout.write(`\n${skippedLines(skipped)}${passed} passed, ${failed} failed\n`);
  }
}

