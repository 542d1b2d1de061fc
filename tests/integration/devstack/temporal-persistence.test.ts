import { Client, Connection } from '@temporalio/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../devstack/config.js';
import { temporalAddress, temporalServer } from '../../../devstack/servers/temporal.js';
import { Supervisor } from '../../../devstack/supervisor.js';
import { stack } from '../../support/stack.js';

// `npm start` keeps Temporal's state in a SQLite file so workflows survive a restart.
// Proven on a Temporal dev server of this test's own, restarted under it.
describe('Temporal dev server persistence', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps a running workflow across a server restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'openkcm-temporal-'));
    dirs.push(dataDir);
    const config = { ...(await testConfig()), dataDir };
    const spec = await temporalServer(config, stack().tools.temporal);
    const workflowId = `persist-${Date.now()}`;

    const first = new Supervisor(dataDir);
    await first.startStage([spec]);
    try {
      const connection = await Connection.connect({ address: temporalAddress(config) });
      // No worker polls this queue: the workflow simply stays RUNNING.
      await new Client({ connection }).workflow.start('waitsForever', { taskQueue: 'nobody-polls', workflowId });
      await connection.close();
    } finally {
      await first.stopAll();
    }

    const second = new Supervisor(dataDir);
    await second.startStage([spec]);
    try {
      const connection = await Connection.connect({ address: temporalAddress(config) });
      const handle = new Client({ connection }).workflow.getHandle(workflowId);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('test done');
      await connection.close();
    } finally {
      await second.stopAll();
    }
  });
});
