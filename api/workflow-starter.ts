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
import { errors } from './errors.js';

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

  async testL1(input: TestL1Input): Promise<TestL1Result> {
    const workflowId = workflowIds.testL1(input.tenantId, input.configId, randomUUID());
    const handle = await this.client.workflow.start('testL1Connection', {
      ...this.common(input.tenantId, workflowId),
      args: [input],
      workflowExecutionTimeout: SHORT_WORKFLOW_TIMEOUT,
    });
    return this.await(() => handle.result());
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

export function userActor(username: string): Actor {
  return { kind: 'user', id: username };
}

class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}
