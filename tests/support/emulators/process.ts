import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A free loopback port below the kernel's ephemeral range (see devstack/free-port.ts). */
export { freePort } from '../../../devstack/free-port.js';

/** Thrown when an emulator's binary is not installed here; tests turn it into a skip with this reason. */
export class EmulatorUnavailable extends Error {
  override readonly name = 'EmulatorUnavailable';
}

/** Where the project caches downloaded or built emulators (shared with the dev-stack supervisor). */
export function cacheDir(...parts: string[]): string {
  return path.join(process.env.OPENKCM_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'openkcm'), ...parts);
}

/**
 * A binary the dev-stack installer built into the cache: the path in `envVar` (which `npm test`
 * and `npm run` set), else the newest cached build whose name starts with `prefix` (for a
 * `go install` build, the file `inside` that directory).
 */
export function cachedBinary(envVar: string, prefix: string, what: string, inside?: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const dir = cacheDir('bin');
  const builds = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith(prefix) && !f.includes('.tmp-'))
        .map((f) => (inside ? path.join(dir, f, inside) : path.join(dir, f)))
        .filter((f) => existsSync(f))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  if (builds[0]) return builds[0];
  throw new EmulatorUnavailable(`${what} is not installed (run \`npm test\` or \`npm start\` once, or set ${envVar})`);
}

export function firstExisting(candidates: ReadonlyArray<string | undefined>): string | undefined {
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Children to take down if this process exits first; see killOnExit. */
const stillRunning = new Map<ChildProcess, () => void>();
let exitHookInstalled = false;

/**
 * Kills `child` (with `kill`, default SIGKILL) if this process exits while it still runs: a
 * test process that crashes, or a script that throws before its `finally`, must not leave
 * servers behind to load the machine for every later test. An exiting process cannot wait,
 * so this is a kill, not a graceful stop.
 */
export function killOnExit(child: ChildProcess, kill: () => void = () => child.kill('SIGKILL')): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const stop of stillRunning.values()) stop();
    });
  }
  stillRunning.set(child, kill);
  child.once('exit', () => stillRunning.delete(child));
}

export interface Launched {
  child: ChildProcess;
  /** Stops this process (and only it) by pid; resolves when it has exited. */
  stop(): Promise<void>;
}

/** Starts a process with its output in `logFile`; the caller waits for readiness. */
export function launch(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string }): Launched {
  const log = openSync(options.logFile, 'a');
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', log, log] });
  closeSync(log);
  killOnExit(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `ready` until it resolves true, the process dies, or the deadline passes. */
export async function waitUntil(what: string, launched: Launched, ready: () => Promise<boolean>, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (launched.child.exitCode !== null) throw new Error(`${what} exited with ${launched.child.exitCode}; see ${logFile}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  await launched.stop();
  throw new Error(`${what} not ready after ${timeoutMs} ms; see ${logFile}`);
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
