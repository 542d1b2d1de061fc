/** What the test reporter hands to the dev-stack CLI through OPENKCM_SUMMARY_FILE. */
export interface Summary {
  passed: number;
  failed: number;
  /** Skipped tests per test file. */
  skipped?: Record<string, number>;
}

/** `skipped: 3 in tests/x.test.ts, …` and a newline, or '' when nothing was skipped. */
export function skippedLines(skipped: Record<string, number> | undefined): string {
  const files = Object.entries(skipped ?? {});
  if (files.length === 0) return '';
  return `skipped: ${files.map(([f, n]) => `${n} in ${f}`).join(', ')}\n`;
}
