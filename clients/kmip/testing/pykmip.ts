import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import type { TestPki } from './certs.js';
import { createTestPki } from './certs.js';
import { killOnExit } from '../../../tests/support/emulators/process.js';

/**
 * Starts PyKMIP's reference server (a stand-in for a customer's KMIP HSM, and a reference peer)
 * on a free loopback port with mutual TLS, and stops it again. The venv build (PyKMIP 0.11,
 * the dev-stack venv) is preferred; Debian's python3-pykmip (0.10) is the fallback.
 */
export interface PyKmipServer {
  readonly host: string;
  readonly port: number;
  readonly pki: TestPki;
  /** PyKMIP version that answered. */
  readonly version: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface PyKmipOptions {
  /** Python interpreter with the `kmip` package; default: $PYKMIP_PYTHON, $OPENKCM_PYTHON (the dev stack's venv), ~/.cache/openkcm/venv, /usr/bin/python3. */
  readonly python?: string;
  readonly port?: number;
  readonly pki?: TestPki;
  readonly startTimeoutMs?: number;
}

/** The dev-stack installer's Python venv (PyKMIP, pymongo, pymongocrypt). */
export function venvPython(): string {
  return path.join(process.env.OPENKCM_CACHE_DIR ?? path.join(homedir(), '.cache', 'openkcm'), 'venv', 'bin', 'python');
}

function pythonCandidates(explicit?: string): string[] {
  return [explicit, process.env.PYKMIP_PYTHON, process.env.OPENKCM_PYTHON, venvPython(), '/usr/bin/python3'].filter(
    (p): p is string => typeof p === 'string' && p !== '' && existsSync(p),
  );
}

/** A free TCP port on loopback, chosen by the OS, in the high range. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    if (port >= 20000) return port;
  }
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`PyKMIP server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`PyKMIP server did not listen on port ${port} within ${timeoutMs} ms`);
}

function pykmipVersion(python: string): string | undefined {
  try {
    const out = spawnSyncText(python, ['-c', 'import kmip; print(kmip.__version__)']);
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

function spawnSyncText(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 });
}

export async function startPyKmip(options: PyKmipOptions = {}): Promise<PyKmipServer> {
  const python = pythonCandidates(options.python).find((p) => pykmipVersion(p) !== undefined);
  if (!python) throw new Error('no Python with PyKMIP found (tried $PYKMIP_PYTHON, $OPENKCM_PYTHON, the dev-stack venv, /usr/bin/python3)');
  const version = pykmipVersion(python)!;
  const pki = options.pki ?? createTestPki();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), 'openkcm-pykmip-'));
  const policyDir = path.join(dir, 'policies');
  mkdirSync(policyDir);
  const logFile = path.join(dir, 'server.log');
  const conf = path.join(dir, 'server.conf');
  writeFileSync(
    conf,
    [
      '[server]',
      'hostname=127.0.0.1',
      `port=${port}`,
      `certificate_path=${pki.files.serverCert}`,
      `key_path=${pki.files.serverKey}`,
      `ca_path=${pki.files.ca}`,
      'auth_suite=TLS1.2',
      `policy_path=${policyDir}`,
      'enable_tls_client_auth=True',
      'logging_level=INFO',
      `database_path=${path.join(dir, 'pykmip.db')}`,
      '',
    ].join('\n'),
  );
  const stderrFile = path.join(dir, 'stderr.log');
  const errFd = openSync(stderrFile, 'w');
  // Own process group: PyKMIP forks a multiprocessing manager that must be stopped with it.
  const child = spawn(python, ['-c', 'import sys; from kmip.services.server.server import main; sys.exit(main())', '-f', conf, '-l', logFile], {
    stdio: ['ignore', 'ignore', errFd],
    cwd: dir,
    detached: true,
  });
  closeSync(errFd);
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  killOnExit(child, () => killGroup('SIGKILL'));
  try {
    await waitForPort(port, child, options.startTimeoutMs ?? 30_000);
  } catch (e) {
    killGroup('SIGKILL');
    const tail = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8').slice(-2000) : '');
    throw new Error(`${(e as Error).message}\n${tail(stderrFile)}\n${tail(logFile)}`);
  }
  return {
    host: '127.0.0.1',
    port,
    pki,
    version,
    logFile,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        killGroup('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      killGroup('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
