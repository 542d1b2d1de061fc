import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Builds the console from the current sources into a fresh directory, so the screenshots
 * show this code and a running stack's console/dist is left alone.
 */
export async function buildConsole(): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'openkcm-console-dist-'));
  const consoleDir = path.resolve('console');
  await run(process.execPath, [path.resolve('node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: consoleDir,
    timeout: 120_000,
  });
  return outDir;
}
