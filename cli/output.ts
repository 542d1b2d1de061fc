/**
 * Where the CLI writes: results to stdout, progress to stderr (so `--json` output stays clean).
 * Injected, so tests capture both.
 */
export interface Output {
  out(line: string): void;
  progress(line: string): void;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  progress: (line) => process.stderr.write(`${line}\n`),
};

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Prints a step only when it changes, with the time since the start. */
export function stepPrinter(output: Output, started = Date.now()) {
  let last: string | undefined;
  return (step: string) => {
    if (step === last) return;
    last = step;
    output.progress(`  … ${step} (${seconds(Date.now() - started)})`);
  };
}
