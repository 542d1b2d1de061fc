import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './proc.js';

/**
 * A cross-process lock on one cache entry, so two checkouts starting at once do not build
 * the same tool twice or trip over each other's half-written venv. A lock left by a dead
 * process is taken over.
 */
export async function withLock<T>(dir: string, name: string, work: () => Promise<T>): Promise<T> {
  const lockDir = path.join(dir, 'locks', `${name}.lock`);
  await mkdir(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => '0'));
      if (holder && !isAlive(holder)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir} (held by pid ${holder})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
