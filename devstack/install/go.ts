import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { SetupError } from '../errors.js';
import { withLock } from '../lock.js';
import { step } from '../log.js';
import { repoRoot } from '../paths.js';
import { capture, run } from '../run.js';
import { versions } from './versions.js';

async function requireGo(): Promise<void> {
  const version = await capture('go', ['version']);
  if (!version) {
    throw new SetupError('Go is not installed (needed once to build local-kms and FerretDB)', 'install Go 1.22 or newer and put `go` on PATH');
  }
}

/**
 * `go install module/path@version` into a directory named after the version, so a cached
 * binary is reused until the pin changes.
 */
async function goInstall(cache: string, title: string, pkg: string, version: string, binary: string, expect: string): Promise<string> {
  const dir = path.join(cache, 'bin', `${binary}@${version}`);
  const target = path.join(dir, binary);
  if (existsSync(target)) return target;
  await requireGo();
  return withLock(cache, binary, async () => {
    if (existsSync(target)) return target;
    const tmp = `${dir}.tmp-${process.pid}`;
    await mkdir(tmp, { recursive: true });
    await step(`${title} ${version} (go install)`, () =>
      run('go', ['install', `${pkg}@${version}`], {
        env: { ...process.env, GOBIN: tmp, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
        logFile: path.join(cache, 'logs', `${binary}.log`),
        fix: 'check that the Go module proxy is reachable and run again',
      }),
      { expect, name: title },
    );
    await rename(tmp, dir);
    return target;
  });
}

export function ensureLocalKms(cache: string): Promise<string> {
  return goInstall(cache, 'local-kms', 'github.com/nsmithuk/local-kms', versions.localKms, 'local-kms', 'under a minute, once');
}

export function ensureTemporalFromGo(cache: string): Promise<string> {
  return goInstall(cache, 'Temporal CLI', 'github.com/temporalio/cli/cmd/temporal', versions.temporalCliGo, 'temporal', 'several minutes, once');
}

/**
 * FerretDB through our wrapper in devstack/ferretdb (see main.go for why not `go install`).
 * The binary is named after a hash of the wrapper's sources, so editing them rebuilds it.
 */
export async function ensureFerretDb(cache: string): Promise<string> {
  const source = path.join(repoRoot, 'devstack', 'ferretdb');
  // PostgreSQL support is left out: the dev stack uses SQLite, and it shortens the build.
  const buildArgs = ['build', '-trimpath', '-tags', 'ferretdb_no_postgresql'];
  const hash = createHash('sha256').update(buildArgs.join(' '));
  for (const file of ['main.go', 'go.mod', 'go.sum']) hash.update(await readFile(path.join(source, file)));
  const target = path.join(cache, 'bin', `openkcm-ferretdb-${versions.ferretdb}-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(target)) return target;
  await requireGo();
  return withLock(cache, 'ferretdb', async () => {
    if (existsSync(target)) return target;
    const tmp = `${target}.tmp-${process.pid}`;
    await mkdir(path.dirname(target), { recursive: true });
    await step(`FerretDB ${versions.ferretdb}, SQLite backend (go build)`, () =>
      run('go', [...buildArgs, '-o', tmp, '.'], {
        cwd: source,
        env: { ...process.env, CGO_ENABLED: process.env.CGO_ENABLED ?? '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
        logFile: path.join(cache, 'logs', 'ferretdb.log'),
        fix: 'check that the Go module proxy is reachable and run again',
      }),
      { expect: '1–5 minutes, once', name: 'FerretDB' },
    );
    await rename(tmp, target);
    // Older builds of the wrapper are dead weight (about 40 MB each).
    for (const file of await readdir(path.dirname(target))) {
      const full = path.join(path.dirname(target), file);
      if (file.startsWith('openkcm-ferretdb-') && !file.includes('.tmp-') && full !== target) await rm(full, { force: true });
    }
    return target;
  });
}
