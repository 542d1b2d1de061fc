#!/usr/bin/env node
// Entry point for `npm start`, `npm test` and `npm run bench:*`.
//
// Plain JavaScript with no dependencies, because it has to run before node_modules exists:
// it installs the npm dependencies when they are missing or older than package-lock.json,
// then hands over to the TypeScript supervisor in devstack/ (run through tsx).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lockFile = path.join(root, 'package-lock.json');
const modules = path.join(root, 'node_modules');
// npm rewrites its hidden lockfile on every install, so it is our "installed at" stamp.
const installedLock = path.join(modules, '.package-lock.json');

function fail(cause, fix) {
  process.stderr.write(`openkcm: ${cause}. Fix: ${fix}\n`);
  process.exit(1);
}

function dependenciesCurrent() {
  if (!existsSync(path.join(modules, 'tsx', 'package.json')) || !existsSync(installedLock)) return false;
  return statSync(installedLock).mtimeMs >= statSync(lockFile).mtimeMs;
}

function isSymlink(p) {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(`Node.js ${process.versions.node} is too old`, 'install Node.js 20.19 or newer');
}

if (!dependenciesCurrent()) {
  if (isSymlink(modules)) {
    // A shared node_modules (git worktrees) belongs to another checkout: `npm ci` here would
    // wipe it for everyone, so only complain when it is unusable.
    if (!existsSync(path.join(modules, 'tsx', 'package.json'))) {
      fail('node_modules is a symlink to an incomplete install', `run \`npm ci\` in the checkout it points to (${readlinkSync(modules)})`);
    }
  } else {
    const started = Date.now();
    process.stdout.write('→ npm dependencies: npm ci (first run, about a minute)\n');
    const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.error) fail(`could not run npm (${result.error.message})`, 'install npm 10 or newer and put it on PATH');
    if (result.status !== 0) {
      fail(`npm ci exited with status ${result.status}`, 'read the npm output above; a registry hiccup usually clears on a second run');
    }
    process.stdout.write(`✓ npm dependencies (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

// The supervisor does the rest and its exit status is ours. Stop signals are forwarded, so
// `kill <this pid>` stops the whole stack; a Ctrl-C reaches the supervisor twice (terminal
// and forward), which it expects.
const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'devstack', 'cli.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  // The AWS SDK nags about Node 20 on every process start; Node 20 is what this stack targets.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
});
