import { existsSync } from 'node:fs';
import path from 'node:path';
import { SetupError } from '../errors.js';
import { step } from '../log.js';
import { capture, run } from '../run.js';
import { debianPackages } from './versions.js';

/** Installed means dpkg says so and the file we use is really there. */
async function missingPackages(): Promise<string[]> {
  const missing: string[] = [];
  for (const [pkg, file] of Object.entries(debianPackages)) {
    const status = await capture('dpkg-query', ['-W', '-f=${Status}', pkg]);
    if (!status?.includes('install ok installed') || !existsSync(file)) missing.push(pkg);
  }
  return missing;
}

/** Installs the Debian packages the stack needs (SoftHSM2, Chromium) when any is missing. */
export async function ensureDebianPackages(logDir: string): Promise<void> {
  const missing = await missingPackages();
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!existsSync('/usr/bin/apt-get')) {
    throw new SetupError(`missing ${missing.join(', ')} and this is not a Debian system`, `install them with your package manager (they must provide ${missing.map((p) => debianPackages[p as keyof typeof debianPackages]).join(', ')})`);
  }
  if (process.getuid?.() !== 0) {
    throw new SetupError(`Debian packages missing: ${missing.join(' ')}`, `run \`sudo sh -c '${command}'\` once, then try again`);
  }
  const logFile = path.join(logDir, 'apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const fix = 'check that the Debian package mirror is reachable, then run again';
  await step(`Debian packages: ${missing.join(', ')} (apt-get)`, async () => {
    await run('apt-get', ['update'], { env, logFile, fix });
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, logFile, fix });
  }, { expect: 'about 30 s, once', name: 'apt-get' });
  const still = await missingPackages();
  if (still.length > 0) throw new SetupError(`apt-get finished but ${still.join(', ')} is still missing`, `see ${logFile}`);
}
