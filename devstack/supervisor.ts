import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SetupError } from './errors.js';
import { info, seconds } from './log.js';
import { commandLine, isAlive, killGroup } from './proc.js';
import { tail } from './run.js';
import { settleAll } from './settle.js';

/** How to run one server and how to tell that it is ready. */
export interface ServerSpec {
  /** Short name: the log file is `<dataDir>/logs/<name>.log`. */
  name: string;
  title: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** One readiness probe (given the server's pid): true when ready; false or a throw means "not yet". */
  ready: (pid: number) => Promise<boolean>;
  readyTimeoutMs: number;
  /** Shown when the server does not come up, after "see its log". */
  hint?: string;
}

interface Managed {
  spec: ServerSpec;
  child: ChildProcess;
  pid: number;
  logFile: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
  /** Set once the readiness probe passed; an exit after that is unexpected. */
  ready: boolean;
}

interface Registry {
  supervisor: { pid: number; commandLine: string };
  processes: { name: string; pid: number; commandLine: string }[];
}

/** A recorded pid still runs what we started (pids get reused). */
function stillRuns(entry: { pid: number; commandLine: string }): boolean {
  return isAlive(entry.pid) && commandLine(entry.pid) === entry.commandLine;
}

const probeEveryMs = 250;
const stopGraceMs = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const liveSupervisors = new Set<Supervisor>();

// Last resort when the process ends without stopping its servers (an uncaught error,
// process.exit): kill what is left, so nothing keeps holding ports.
process.once('exit', () => {
  for (const supervisor of liveSupervisors) supervisor.killRemaining();
});

/**
 * Starts servers as process groups of their own with one log file each, waits until each
 * is ready, and stops them in reverse order. Every pid is recorded in
 * `<dataDir>/run/processes.json` so a later start can clean up after a crashed supervisor.
 */
export class Supervisor {
  private readonly stages: Managed[][] = [];
  private readonly registryFile: string;
  private unexpectedExit?: (name: string, detail: string) => void;
  private stopping = false;

  /** Set to skip the per-server "ready" lines. */
  quiet = false;

  constructor(readonly dataDir: string) {
    this.registryFile = path.join(dataDir, 'run', 'processes.json');
    liveSupervisors.add(this);
  }

  /** Synchronous last resort for the process 'exit' hook above. */
  killRemaining(): void {
    for (const m of this.all()) if (!m.exited) killGroup(m.pid, 'SIGKILL');
  }

  /** Called when a ready server exits without being asked to. */
  onUnexpectedExit(handler: (name: string, detail: string) => void): void {
    this.unexpectedExit = handler;
  }

  private all(): Managed[] {
    return this.stages.flat();
  }

  /**
   * Refuses to run beside a live supervisor of the same data directory, and kills the
   * servers a dead one left behind (after checking the pid still runs the same command).
   */
  async reclaim(): Promise<void> {
    let registry: Registry;
    try {
      registry = JSON.parse(await readFile(this.registryFile, 'utf8')) as Registry;
    } catch {
      return;
    }
    const owner = registry.supervisor;
    if (owner?.pid !== process.pid && owner && stillRuns(owner)) {
      throw new SetupError(
        `an OpenKCM stack is already running from ${this.dataDir} (supervisor pid ${owner.pid})`,
        `use it, or stop it first (Ctrl-C in its terminal, or \`kill ${owner.pid}\`), or set OPENKCM_DATA_DIR to another directory`,
      );
    }
    const leftovers = (registry.processes ?? []).filter(stillRuns);
    for (const p of leftovers) killGroup(p.pid, 'SIGTERM');
    const deadline = Date.now() + stopGraceMs;
    while (leftovers.some((p) => isAlive(p.pid)) && Date.now() < deadline) await sleep(100);
    for (const p of leftovers) killGroup(p.pid, 'SIGKILL');
  }

  private registryWrites: Promise<void> = Promise.resolve();

  /**
   * Servers start side by side, so writes are queued, and each replaces the file atomically:
   * a reader (a later start) never sees a half-written registry.
   */
  private writeRegistry(): Promise<void> {
    // One failed write must not block the ones after it.
    this.registryWrites = this.registryWrites.catch(() => undefined).then(() => this.writeRegistryNow());
    return this.registryWrites;
  }

  private async writeRegistryNow(): Promise<void> {
    const registry: Registry = {
      supervisor: { pid: process.pid, commandLine: commandLine(process.pid) ?? '' },
      processes: this.all()
        .filter((m) => !m.exited)
        .map((m) => ({ name: m.spec.name, pid: m.pid, commandLine: [m.spec.command, ...m.spec.args].join(' ') })),
    };
    mkdirSync(path.dirname(this.registryFile), { recursive: true });
    const tmp = `${this.registryFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(registry, null, 2)}\n`);
    await rename(tmp, this.registryFile);
  }

  /** Starts the specs side by side and waits for all of them; a failure stops this stage. */
  async startStage(specs: readonly ServerSpec[]): Promise<void> {
    const stage: Managed[] = [];
    this.stages.push(stage);
    try {
      await settleAll(specs.map((spec) => this.startOne(spec, stage)));
    } catch (err) {
      await this.stopStage(stage);
      throw err;
    }
  }

  private async startOne(spec: ServerSpec, stage: Managed[]): Promise<void> {
    if (this.stopping) throw new SetupError('interrupted', 'run again');
    const logFile = path.join(this.dataDir, 'logs', `${spec.name}.log`);
    mkdirSync(path.dirname(logFile), { recursive: true });
    const fd = openSync(logFile, 'a', 0o600);
    writeSync(fd, `\n=== ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', fd, fd],
      // Own process group: Ctrl-C in the terminal reaches only the supervisor, which then
      // stops servers in order, and a stop kills a server's children with it.
      detached: true,
    });
    closeSync(fd);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    if (child.pid === undefined) {
      const err = await spawnError;
      throw new SetupError(`cannot start ${spec.title}: ${err.message}`, `check that ${spec.command} exists and is executable`);
    }
    const managed: Managed = {
      spec,
      child,
      pid: child.pid,
      logFile,
      exited: false,
      ready: false,
      exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    };
    void managed.exit.then(({ code, signal }) => {
      managed.exited = true;
      if (!this.stopping && this.unexpectedExit && managed.ready) {
        this.unexpectedExit(spec.title, `${signal ?? `status ${code}`}; see ${logFile}`);
      }
    });
    stage.push(managed);
    await this.writeRegistry();
    const started = Date.now();
    await this.waitReady(managed);
    managed.ready = true;
    if (!this.quiet && !this.stopping) info(`✓ ${spec.title} ready (${seconds(Date.now() - started)})`);
  }

  private async waitReady(m: Managed): Promise<void> {
    const started = Date.now();
    const fail = async (what: string): Promise<never> => {
      throw new SetupError(`${m.spec.title} ${what}`, `read ${m.logFile}${m.spec.hint ? `; ${m.spec.hint}` : ''}`, await tail(m.logFile));
    };
    while (!this.stopping) {
      if (m.exited) {
        const { code, signal } = await m.exit;
        return fail(`exited during start (${signal ?? `status ${code}`})`);
      }
      const ok = await withTimeout(m.spec.ready(m.pid).catch(() => false), 5_000);
      if (ok) return;
      if (Date.now() - started > m.spec.readyTimeoutMs) return fail(`was not ready after ${seconds(m.spec.readyTimeoutMs)}`);
      await sleep(probeEveryMs);
    }
    throw new SetupError('interrupted', 'run again');
  }

  private async stopOne(m: Managed): Promise<void> {
    if (m.exited) return;
    killGroup(m.pid, 'SIGTERM');
    const gone = await withTimeout(m.exit, stopGraceMs);
    if (!gone) killGroup(m.pid, 'SIGKILL');
    await m.exit;
    // Children that ignored the group's SIGTERM (or left the group) get no second chance.
    killGroup(m.pid, 'SIGKILL');
  }

  private async stopStage(stage: Managed[]): Promise<void> {
    await Promise.all(stage.map((m) => this.stopOne(m)));
  }

  /** Stops every stage, last started first. Safe to call more than once. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const stage of [...this.stages].reverse()) await this.stopStage(stage);
    if (this.stages.length > 0) await this.writeRegistry().catch(() => undefined);
    liveSupervisors.delete(this);
  }
}
