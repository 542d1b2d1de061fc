import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { ferretDbArgs, ferretDbBinary } from '../../../support/emulators/ferretdb.js';
import { freePort, killOnExit, portOpen } from '../../../support/emulators/process.js';

/**
 * A private FerretDB (SQLite backend) for one test file: random port, temporary directory.
 * `kill()` + `restart()` simulate the store going away and coming back on the same address with
 * the same data. (The KMIP harness does the same through the shared `launch`; this older starter
 * could move onto it too.)
 */
export interface FerretDb {
  readonly uri: string;
  readonly port: number;
  readonly dir: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}


export async function startFerretDb(): Promise<FerretDb> {
  const dir = await mkdtemp(path.join(tmpdir(), 'okcm-ferret-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async (): Promise<void> => {
    output = '';
    child = spawn(ferretDbBinary(), ferretDbArgs(port, dir), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitForPort(port, 20_000, () => output);
  };

  const kill = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGKILL');
    await exited;
  };

  await launch();
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    dir,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`FerretDB did not listen on ${port} within ${timeoutMs} ms:\n${log()}`);
}

/**
 * A private FerretDB for one test file, with a client whose short timeouts notice an
 * unreachable store quickly. Call at the top level of the file; read the fields in tests.
 */
export function useFerretDb(): { ferret: FerretDb; mongo: MongoClient } {
  const env = {} as { ferret: FerretDb; mongo: MongoClient };
  beforeAll(async () => {
    env.ferret = await startFerretDb();
    env.mongo = await new MongoClient(env.ferret.uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 }).connect();
  });
  afterAll(async () => {
    await env.mongo?.close();
    await env.ferret?.stop();
  });
  return env;
}
