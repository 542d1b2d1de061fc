/** Progress lines on stdout: `→` a step starts, `…` it is still going, `✓` it is done. */

export function info(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Runs a step and reports it. Quick steps (under `quietUnderMs`) stay silent so a cached
 * run prints only what matters; slow ones show a heartbeat every 15 s.
 */
export async function step<T>(title: string, work: () => Promise<T>, opts: { quietUnderMs?: number; expect?: string } = {}): Promise<T> {
  const started = Date.now();
  const quietUnderMs = opts.quietUnderMs ?? 0;
  let announced = false;
  const announce = (): void => {
    if (!announced) info(`→ ${title}${opts.expect ? ` (${opts.expect})` : ''}`);
    announced = true;
  };
  const announceTimer = setTimeout(announce, quietUnderMs);
  const heartbeat = setInterval(() => {
    announce();
    info(`  … ${title}: ${seconds(Date.now() - started)} so far`);
  }, 20_000);
  if (quietUnderMs === 0) announce();
  try {
    const result = await work();
    if (announced) info(`✓ ${title} (${seconds(Date.now() - started)})`);
    return result;
  } finally {
    clearTimeout(announceTimer);
    clearInterval(heartbeat);
  }
}
