import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import {
  TenantIdSearchAttribute,
  queries,
  workflowIds,
  type ActivateL1Input,
  type ActivateL1Result,
  type Actor,
  type OffboardTenantInput,
  type ProvisionTenantInput,
  type RevokeL1Input,
  type RotateL2Input,
  type RotateL2Result,
  type TestL1Input,
  type TestL1Result,
} from '../workflows/contracts.js';
import type { ApiConfig } from './config.js';
import { errors, toApiError } from './errors.js';

/**
 * The API's only door to Temporal: starts workflows by name with the ids, inputs and search
 * attribute the contracts define, and awaits the short ones with a deadline so a stalled
 * worker becomes a 503 instead of a hung request.
 */
export interface StartedWorkflow {
  workflowId: string;
  runId: string;
}

export type ActivationStatus = 'running' | 'completed' | 'failed';

export interface ActivationView {
  workflowId: string;
  /** Tells this activation from the tenant's earlier ones (the workflow id is the same). */
  runId: string;
  startedAt: string;
  step: string;
  status: ActivationStatus;
  result?: ActivateL1Result;
}

export interface StartedL1Test extends StartedWorkflow {
  /** The nonce of the workflow id; addresses the test in `GET /api/l1/configs/:id/tests/:testId`. */
  testId: string;
}

/** A connection test as its workflow sees it: running, completed (with the result) or failed (with why). */
export type L1TestRun =
  | { status: 'running'; startedAt: string }
  | { status: 'completed'; startedAt: string; result: TestL1Result }
  | { status: 'failed'; startedAt: string; reason: string };

/** Bounds a workflow's life so an abandoned short workflow does not linger. */
const SHORT_WORKFLOW_TIMEOUT = '10 minutes';
const QUERY_TIMEOUT_MS = 2_000;

export class WorkflowStarter {
  constructor(
    private readonly client: Client,
    private readonly config: Pick<ApiConfig, 'taskQueue' | 'provisionSlaMs' | 'activationSlaMs' | 'healthIntervalMs' | 'workflowWaitMs'>,
  ) {}

  private common(tenantId: string, workflowId: string) {
    return {
      taskQueue: this.config.taskQueue,
      workflowId,
      typedSearchAttributes: [{ key: TenantIdSearchAttribute, value: tenantId }],
    };
  }

  /** Idempotent: a second start for the same tenant attaches to the running provisioning. */
  async provisionTenant(input: Omit<ProvisionTenantInput, 'slaMs'>): Promise<StartedWorkflow> {
    const args: ProvisionTenantInput = { ...input, slaMs: this.config.provisionSlaMs };
    const handle = await this.client.workflow.start('provisionTenant', {
      ...this.common(input.tenantId, workflowIds.provision(input.tenantId)),
      args: [args],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  async offboardTenant(input: OffboardTenantInput): Promise<StartedWorkflow> {
    const handle = await this.client.workflow.start('offboardTenant', {
      ...this.common(input.tenantId, workflowIds.offboard(input.tenantId)),
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  /** Runs the connection test and waits for its result (the CLI's synchronous route). */
  async testL1(input: Omit<TestL1Input, 'testId'>): Promise<TestL1Result> {
    const { handle } = await this.startTestL1Workflow(input);
    return this.await(() => handle.result());
  }

  /** Starts the connection test without waiting; its steps are polled with `l1Test`. */
  async startL1Test(input: Omit<TestL1Input, 'testId'>): Promise<StartedL1Test> {
    const { handle, testId } = await this.startTestL1Workflow(input);
    return { testId, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  /**
   * Where a connection test stands, from its workflow: undefined when there is no such test.
   * Only workflow facts — the steps so far live in the store (the configuration's live test).
   */
  async l1Test(tenantId: string, configId: string, testId: string): Promise<L1TestRun | undefined> {
    const handle = this.client.workflow.getHandle<(input: TestL1Input) => Promise<TestL1Result>>(workflowIds.testL1(tenantId, configId, testId));
    let description: WorkflowExecutionDescription;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
    const startedAt = description.startTime.toISOString();
    const name = description.status.name;
    if (name === 'RUNNING') return { status: 'running', startedAt };
    if (name === 'COMPLETED') return { status: 'completed', startedAt, result: await handle.result() };
    return { status: 'failed', startedAt, reason: await failureReason(() => handle.result(), name) };
  }

  /** The workflow id's nonce is the test id, so a test is addressed by tenant, configuration and nonce. */
  private async startTestL1Workflow(input: Omit<TestL1Input, 'testId'>) {
    const testId = randomUUID();
    const args: TestL1Input = { ...input, testId };
    const handle = await this.client.workflow.start('testL1Connection', {
      ...this.common(input.tenantId, workflowIds.testL1(input.tenantId, input.configId, testId)),
      args: [args],
      workflowExecutionTimeout: SHORT_WORKFLOW_TIMEOUT,
    });
    return { handle, testId };
  }

  /** One activation at a time per tenant: a second start while one runs is a 409. */
  async activateL1(input: Omit<ActivateL1Input, 'slaMs' | 'healthIntervalMs'>): Promise<StartedWorkflow> {
    const args: ActivateL1Input = { ...input, slaMs: this.config.activationSlaMs, healthIntervalMs: this.config.healthIntervalMs };
    const handle = await this.client.workflow.start('activateL1', {
      ...this.common(input.tenantId, workflowIds.activateL1(input.tenantId)),
      args: [args],
      workflowIdConflictPolicy: 'FAIL',
    });
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  /** The tenant's latest activation, or undefined when there never was one. */
  async activation(tenantId: string): Promise<ActivationView | undefined> {
    const workflowId = workflowIds.activateL1(tenantId);
    const handle = this.client.workflow.getHandle<(input: ActivateL1Input) => Promise<ActivateL1Result>>(workflowId);
    let description: WorkflowExecutionDescription;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
    const name = description.status.name;
    const run = { workflowId, runId: description.runId, startedAt: description.startTime.toISOString() };
    if (name === 'RUNNING') {
      // A query needs a worker; without one the step is unknown rather than the request hanging.
      const step = await this.withAbort(QUERY_TIMEOUT_MS, () => handle.query<string>(queries.activationStep)).catch(() => 'starting');
      return { ...run, step, status: 'running' };
    }
    if (name === 'COMPLETED') {
      const result = await handle.result();
      return { ...run, step: 'done', status: result.ok ? 'completed' : 'failed', result };
    }
    return { ...run, step: name.toLowerCase().replace(/_/g, ' '), status: 'failed' };
  }

  async rotateL2(input: RotateL2Input): Promise<RotateL2Result> {
    const handle = await this.client.workflow.start('rotateL2', {
      ...this.common(input.tenantId, workflowIds.rotateL2(input.tenantId)),
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowExecutionTimeout: SHORT_WORKFLOW_TIMEOUT,
    });
    return this.await(() => handle.result());
  }

  async revokeL1(input: RevokeL1Input): Promise<{ nodesInvalidated: number }> {
    const handle = await this.client.workflow.start('revokeL1', {
      ...this.common(input.tenantId, workflowIds.revokeL1(input.tenantId)),
      args: [input],
      // A revocation already under way is the one the caller wants: wait for it.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowExecutionTimeout: SHORT_WORKFLOW_TIMEOUT,
    });
    return this.await(() => handle.result());
  }

  private async await<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.withAbort(this.config.workflowWaitMs, fn);
    } catch (error) {
      if (error instanceof DeadlineError) throw errors.unavailable('the workflow did not finish in time; is the worker running?');
      throw error;
    }
  }

  /** Cancels the underlying gRPC calls at the deadline, so no long poll outlives the request. */
  private async withAbort<T>(ms: number, fn: () => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    try {
      return await this.client.withAbortSignal(controller.signal, fn);
    } catch (error) {
      if (controller.signal.aborted) throw new DeadlineError(`no answer within ${ms} ms`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Why a closed workflow did not complete, safe to show: a keystore's (redacted) reason or a
 * refusal as the error mapper words it, else how the workflow ended ("timed out", "terminated").
 */
async function failureReason(result: () => Promise<unknown>, statusName: string): Promise<string> {
  const ended = `the test ${statusName.toLowerCase().replace(/_/g, ' ')}`;
  try {
    await result();
  } catch (error) {
    const mapped = toApiError(error);
    if (mapped && mapped.code !== 'workflow_failed') return mapped.message;
  }
  return ended;
}

export function userActor(username: string): Actor {
  return { kind: 'user', id: username };
}

class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}
