import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { SetupError } from './errors.js';
import { commandLine, isAlive } from './proc.js';
import { httpOk } from './probes.js';
import { Supervisor, type ServerSpec } from './supervisor.js';

interface Registry {
  supervisor: { pid: number; commandLine: string };
  processes: { pid: number; commandLine: string }[];
}

/** A node one-liner as a server spec. */
function nodeServer(name: string, script: string, ready: ServerSpec['ready'], readyTimeoutMs = 10_000): ServerSpec {
  return { name, title: `test server ${name}`, command: process.execPath, args: ['-e', script], ready, readyTimeoutMs };
}

const httpScript = (port: number): string =>
  `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1', () => console.log('listening ${port}'))`;

describe('Supervisor', () => {
  let dataDir: string;
  let supervisor: Supervisor;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'openkcm-supervisor-'));
    supervisor = new Supervisor(dataDir);
    supervisor.quiet = true;
  });
  afterEach(async () => {
    await supervisor.stopAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a server, logs its output to its own file, records its pid, and stops it', async () => {
    const port = await freePort();
    await supervisor.startStage([nodeServer('web', httpScript(port), () => httpOk(`http://127.0.0.1:${port}/`))]);
    expect(await httpOk(`http://127.0.0.1:${port}/`)).toBe(true);
    const registry = JSON.parse(await readFile(path.join(dataDir, 'run', 'processes.json'), 'utf8')) as Registry;
    expect(registry.supervisor.pid).toBe(process.pid);
    const pid = registry.processes[0]!.pid;
    expect(isAlive(pid)).toBe(true);

    await supervisor.stopAll();
    expect(isAlive(pid)).toBe(false);
    expect(await httpOk(`http://127.0.0.1:${port}/`)).toBe(false);
    expect(await readFile(path.join(dataDir, 'logs', 'web.log'), 'utf8')).toContain(`listening ${port}`);
  });

  it('keeps a valid registry while servers start side by side', async () => {
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    await supervisor.startStage(ports.map((port, i) => nodeServer(`web${i}`, httpScript(port), () => httpOk(`http://127.0.0.1:${port}/`))));
    const registry = JSON.parse(await readFile(path.join(dataDir, 'run', 'processes.json'), 'utf8')) as Registry;
    expect(registry.processes.map((p) => p.commandLine.startsWith(process.execPath))).toEqual([true, true, true, true]);
  });

  it('reports a server that exits during start with the tail of its log', async () => {
    const failing = nodeServer('crash', "console.error('boom: missing thing'); process.exit(3)", async () => false);
    const error = await supervisor.startStage([failing]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).reason).toBe('test server crash exited during start (status 3)');
    expect((error as SetupError).details).toContain('boom: missing thing');
    expect((error as SetupError).fix).toContain(path.join(dataDir, 'logs', 'crash.log'));
  });

  it('times out a server that never gets ready, stops it and its siblings, children included', async () => {
    const port = await freePort();
    const pidFile = path.join(dataDir, 'grandchild.pid');
    // The stuck server forks a grandchild: stopping the process group must take both.
    const stuck = nodeServer(
      'stuck',
      `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
       require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`,
      async () => false,
      1_500,
    );
    const sibling = nodeServer('sibling', httpScript(port), () => httpOk(`http://127.0.0.1:${port}/`));
    const error = await supervisor.startStage([stuck, sibling]).catch((e: unknown) => e);
    expect((error as SetupError).reason).toBe('test server stuck was not ready after 1.5 s');
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(grandchild)).toBe(false);
    expect(await httpOk(`http://127.0.0.1:${port}/`)).toBe(false);
  });

  it('refuses to start beside a live supervisor of the same data directory', async () => {
    await mkdir(path.join(dataDir, 'run'), { recursive: true });
    // The vitest worker's parent is a live node process: it plays the other supervisor.
    const other = { pid: process.ppid, commandLine: commandLine(process.ppid) };
    await writeFile(path.join(dataDir, 'run', 'processes.json'), JSON.stringify({ supervisor: other, processes: [] }));
    const error = await supervisor.reclaim().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).reason).toContain(`already running from ${dataDir}`);
  });

  it('kills servers that a dead supervisor left behind', async () => {
    const port = await freePort();
    const first = new Supervisor(dataDir);
    first.quiet = true;
    await first.startStage([nodeServer('orphan', httpScript(port), () => httpOk(`http://127.0.0.1:${port}/`))]);
    // Pretend the first supervisor died: its registry names a pid that no longer exists.
    const file = path.join(dataDir, 'run', 'processes.json');
    const registry = JSON.parse(await readFile(file, 'utf8')) as Registry;
    await writeFile(file, JSON.stringify({ ...registry, supervisor: { pid: 2 ** 22 + 1, commandLine: 'node gone' } }));

    await supervisor.reclaim();
    expect(isAlive(registry.processes[0]!.pid)).toBe(false);
    expect(await httpOk(`http://127.0.0.1:${port}/`)).toBe(false);
  });

  it('leaves alone a recorded pid that now runs something else', async () => {
    await mkdir(path.join(dataDir, 'run'), { recursive: true });
    // Our own pid stands for a reused pid: the command line does not match the record.
    const record = { supervisor: { pid: 2 ** 22 + 1, commandLine: 'node gone' }, processes: [{ name: 'x', pid: process.pid, commandLine: 'temporal server start-dev' }] };
    await writeFile(path.join(dataDir, 'run', 'processes.json'), JSON.stringify(record));
    await supervisor.reclaim();
    expect(isAlive(process.pid)).toBe(true);
  });
});
