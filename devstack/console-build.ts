import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { step } from './log.js';
import { repoRoot } from './paths.js';
import { run } from './run.js';

const consoleDir = path.join(repoRoot, 'console');
const distDir = path.join(consoleDir, 'dist');
const stampFile = path.join(distDir, '.openkcm-source-hash');

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else files.push(full);
  }
  return files.sort();
}

/** A hash of everything the build reads: the console's sources and the dependency lockfile. */
export async function consoleSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...(await sourceFiles(consoleDir)), path.join(repoRoot, 'package-lock.json')]) {
    hash.update(path.relative(repoRoot, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds console/dist with Vite unless it was already built from these exact sources. */
export async function ensureConsoleBuilt(): Promise<string> {
  const hash = await consoleSourceHash();
  const stamp = await readFile(stampFile, 'utf8').catch(() => '');
  if (stamp === hash && existsSync(path.join(distDir, 'index.html'))) return distDir;
  await step('console: vite build', () =>
    run(process.execPath, [path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: consoleDir,
      // Per checkout, one build per file: the error Vite prints first is what matters.
      logFile: path.join(tmpdir(), `openkcm-console-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 8)}.log`),
      truncateLog: true,
      tailLines: 40,
      fix: 'fix the console build error shown above',
    }),
    { name: 'console build' },
  );
  await writeFile(stampFile, hash);
  return distDir;
}
