import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../../support/stack.js';

describe('Temporal dev server with the OpenKCM worker', () => {
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    connection = await Connection.connect({ address: stack().temporal.address });
    client = new Client({ connection, namespace: stack().temporal.namespace });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('runs smokeWorkflow through the stack worker process', async () => {
    const workflowId = `smoke-${randomUUID()}`;
    const result = await client.workflow.execute('smokeWorkflow', {
      taskQueue: stack().temporal.taskQueue,
      workflowId,
      args: ['devstack'],
      workflowExecutionTimeout: '30 seconds',
    });
    expect(result).toMatch(/^hello devstack from worker pid \d+$/);
    // The activity ran in another process: the stack's worker, not this test.
    expect(result).not.toContain(`pid ${process.pid}`);

    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.taskQueue).toBe(stack().temporal.taskQueue);
  });

  it('has the TenantId search attribute registered', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: stack().temporal.namespace });
    expect(Object.keys(customAttributes)).toContain('TenantId');
  });
});
