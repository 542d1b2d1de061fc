/** Progress lines on stdout: `→` a step starts, `…` steps still going, `✓` a step is done. */

export function info(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Steps running right now, for the single shared heartbeat line. */
const active = new Map<symbol, { name: string; started: number }>();
let heartbeat: NodeJS.Timeout | undefined;
const heartbeatEveryMs = 20_000;

function beat(): void {
  const now = Date.now();
  const parts = [...active.values()].map((s) => `${s.name} ${Math.round((now - s.started) / 1000)} s`);
  info(`  … still working: ${parts.join(', ')}`);
}

/**
 * Runs a step and reports it. Steps running side by side share one heartbeat line every
 * 20 s, so a long first install shows it is alive without flooding the terminal.
 */
export async function step<T>(title: string, work: () => Promise<T>, opts: { expect?: string; name?: string } = {}): Promise<T> {
  const key = Symbol(title);
  const started = Date.now();
  info(`→ ${title}${opts.expect ? ` (${opts.expect})` : ''}`);
  active.set(key, { name: opts.name ?? title, started });
  heartbeat ??= setInterval(beat, heartbeatEveryMs);
  try {
    const result = await work();
    info(`✓ ${title} (${seconds(Date.now() - started)})`);
    return result;
  } finally {
    active.delete(key);
    if (active.size === 0) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  }
}
