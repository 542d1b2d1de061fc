import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { ensureFerretDb, ensureTemporalFromGo } from '../../devstack/install/go.js';
import { ensurePythonVenv } from '../../devstack/install/python.js';
import { cacheDir } from '../../devstack/paths.js';
import { freePort, killOnExit } from '../../tests/support/emulators/process.js';

/**
 * Real servers for the API's route tests, started per test file on free ports: FerretDB
 * (MongoDB wire protocol over SQLite in a temp dir) and Temporal's dev server (in memory, with
 * the TenantId search attribute). The binaries are the dev stack's (installed once and cached
 * by devstack/install); OPENKCM_TEST_FERRETDB / OPENKCM_TEST_TEMPORAL override them.
 */
let ferretDbBinary: Promise<string> | undefined;
let temporalBinary: Promise<string> | undefined;

function ferretDb(): Promise<string> {
  ferretDbBinary ??= (async () => process.env.OPENKCM_TEST_FERRETDB ?? (await ensureFerretDb(cacheDir())))();
  return ferretDbBinary;
}

function temporalCli(): Promise<string> {
  temporalBinary ??= (async () => {
    if (process.env.OPENKCM_TEST_TEMPORAL) return process.env.OPENKCM_TEST_TEMPORAL;
    const cache = cacheDir();
    return (await ensurePythonVenv(cache)).temporal ?? (await ensureTemporalFromGo(cache));
  })();
  return temporalBinary;
}

/** The dev stack's FerretDB wrapper takes a directory; upstream FerretDB v1 a SQLite URL. */
function ferretDbArgs(binary: string, port: number, dir: string): string[] {
  const storage = path.basename(binary).startsWith('openkcm-ferretdb') ? ['--sqlite-dir', dir] : ['--sqlite-url', `file:${dir}/`];
  return ['--listen-addr', `127.0.0.1:${port}`, ...storage];
}

export interface RunningServer {
  stop(): Promise<void>;
}

async function waitFor(what: string, child: ChildProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what} exited during startup`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`);
}

/** How a test stops `child`; should the test process exit first, the child goes with it. */
function stopper(child: ChildProcess, cleanup: () => Promise<void>): () => Promise<void> {
  killOnExit(child);
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup();
  };
}

export async function startFerretDb(): Promise<RunningServer & { uri: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'okcm-api-ferret-'));
  const port = await freePort();
  const binary = await ferretDb();
  const child = spawn(binary, ferretDbArgs(binary, port, dir), { stdio: 'ignore' });
  const uri = `mongodb://127.0.0.1:${port}/`;
  const stop = stopper(child, () => rm(dir, { recursive: true, force: true }));
  try {
    await waitFor('FerretDB', child, async () => {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
      try {
        await client.db('admin').command({ ping: 1 });
        return true;
      } finally {
        await client.close();
      }
    }, 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { uri, stop };
}

export async function startTemporal(): Promise<RunningServer & { address: string }> {
  const port = await freePort();
  const uiPort = await freePort();
  const child = spawn(
    await temporalCli(),
    [
      'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--headless',
      '--search-attribute', 'TenantId=Keyword', '--log-level', 'error',
    ],
    { stdio: 'ignore' },
  );
  const address = `127.0.0.1:${port}`;
  const stop = stopper(child, async () => undefined);
  try {
    await waitFor('Temporal', child, async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return true;
      } finally {
        await connection.close();
      }
    }, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, stop };
}
