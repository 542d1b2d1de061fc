import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { killOnExit } from './emulators/process.js';
import { stackEnv } from './platform.js';

/**
 * A worker process of our own on its own task queue, so a test can kill -9 it mid-workflow
 * without disturbing the stack's worker.
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    private readonly client: Client,
    readonly taskQueue: string,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  /** Starts the worker and waits until Temporal sees it polling. */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('workers/main.ts')], {
      env: { ...process.env, ...stackEnv({ OPENKCM_TEMPORAL_TASK_QUEUE: this.taskQueue, ...this.env }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    killOnExit(child);
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`worker exited early:\n${this.output.slice(-2000)}`);
      if (await this.polling(child.pid!).catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`worker did not start polling within ${timeoutMs} ms:\n${this.output.slice(-2000)}`);
  }

  /** SIGKILL: no graceful shutdown, exactly like a crashed host. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  private async polling(pid: number): Promise<boolean> {
    const response = await this.client.workflowService.describeTaskQueue({
      namespace: this.client.options.namespace,
      taskQueue: { name: this.taskQueue },
      taskQueueType: 1, // workflow task queue
    });
    return (response.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
  }
}
