import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SetupError } from './errors.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Output goes here rather than to the terminal; its tail is shown on failure. */
  logFile: string;
  /** What to tell the user when the command fails. */
  fix: string;
  /** Argument values (PINs, passwords) masked in the command line written to the log. */
  redact?: readonly string[];
  /** Start the log afresh instead of appending to it. */
  truncateLog?: boolean;
  /** How many log lines to show on failure. */
  tailLines?: number;
}

/** Last `lines` lines of a text file, indented for display under an error line. */
export async function tail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Runs an install command to completion; a non-zero exit becomes a SetupError. */
export async function run(command: string, args: readonly string[], opts: RunOptions): Promise<void> {
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  const out = createWriteStream(opts.logFile, { flags: opts.truncateLog ? 'w' : 'a' });
  await new Promise<void>((resolve) => out.once('open', () => resolve()));
  const shown = args.map((a) => (opts.redact?.includes(a) ? '***' : a));
  out.write(`\n$ ${command} ${shown.join(' ')}\n`);
  const status = await new Promise<number | string>((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('error', (err) => resolve(err.message));
    child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  await new Promise<void>((resolve) => out.end(resolve));
  if (status === 0) return;
  const what = typeof status === 'number' ? `exited with status ${status}` : `failed (${status})`;
  throw new SetupError(`\`${path.basename(command)} ${shown.slice(0, 2).join(' ')}\` ${what}`, `${opts.fix} (full output: ${opts.logFile})`, await tail(opts.logFile, opts.tailLines));
}

/** Runs a command and returns its stdout, or undefined when it cannot run or fails. */
export async function capture(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return new Promise((resolve) => {
    let stdout = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? stdout : undefined));
  });
}
