import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU seconds used by processes (user + system, from /proc), so a benchmark can say where each
 * operation's CPU went — server, store, load generator — independently of how busy the shared
 * machine was while it ran.
 */
const TICKS_PER_SECOND = 100;

export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process is gone
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** A process and all its descendants (cluster workers, PyKMIP's helpers). */
export function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    // no children
  }
  const children = out.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  return [pid, ...children.flatMap((c) => processTree(c))];
}

/** Pids whose command line contains `needle`. */
export function pidsMatching(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', needle], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

export function generatorCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
