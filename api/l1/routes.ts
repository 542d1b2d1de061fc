import { z } from 'zod';
import { l1SecretsAad, type L1ConfigRecord } from '../../lib/tenants/l1-configs.js';
import { auditUser } from '../audit/record.js';
import type { ApiDeps } from '../deps.js';
import { errors } from '../errors.js';
import { route, type AnyRoute, type Principal } from '../http/route.js';
import { l1StateOf } from '../tenant/view.js';
import { userActor, type WorkflowStarter } from '../workflow-starter.js';
import { validateKeystoreConfig } from './keystore-config.js';
import { fromKeystore } from './keystore-forms.js';
import {
  activationStarted,
  activationView,
  configIdParams,
  createL1ConfigBody,
  l1ConfigView,
  l1StateView,
  revokeBody,
  revokeResponse,
  rotateBody,
  rotateResponse,
  testParams,
  testResultView,
  testRunView,
  testStarted,
} from './schema.js';
import { testRunOf } from './test-runs.js';

export function l1ConfigOf(record: L1ConfigRecord): z.input<typeof l1ConfigView> {
  return {
    id: record._id,
    kind: record.kind,
    label: record.label,
    settings: fromKeystore(record.kind, record.settings),
    secretsConfigured: record.secretNames ?? [],
    createdAt: record.createdAt.toISOString(),
    createdBy: record.createdBy,
    state: record.state,
    ...(record.lastTest
      ? {
          lastTest: {
            ok: record.lastTest.ok,
            ...(record.lastTest.failedStep ? { failedStep: record.lastTest.failedStep } : {}),
            steps: record.lastTest.steps,
            at: record.lastTest.at.toISOString(),
          },
        }
      : {}),
  };
}

function confirmTenant(principal: Principal, confirm: string): void {
  if (confirm !== principal.tenantId) throw errors.invalid({ confirm: 'type the tenant id exactly to confirm' });
}

export function l1Routes(deps: ApiDeps, starter: WorkflowStarter): AnyRoute[] {
  const { l1Configs, tenants } = deps.repos;

  const tenantOf = async (principal: Principal) => {
    const tenant = await tenants.get(principal.tenantId);
    if (!tenant) throw errors.notFound('tenant');
    return tenant;
  };
  const configOf = async (principal: Principal, id: string): Promise<L1ConfigRecord> => {
    const record = await l1Configs.get(principal.tenantId, id);
    if (!record) throw errors.notFound('L1 configuration');
    return record;
  };

  return [
    route({
      method: 'get',
      path: '/api/l1/configs',
      operationId: 'listL1Configs',
      summary: 'The tenant’s L1 keystore configurations, newest first',
      tag: 'l1',
      access: 'user',
      response: z.object({ items: z.array(l1ConfigView) }),
      async handler(_ctx, { principal }) {
        return { items: (await l1Configs.list(principal.tenantId)).map(l1ConfigOf) };
      },
    }),
    route({
      method: 'post',
      path: '/api/l1/configs',
      operationId: 'createL1Config',
      summary: 'Save an L1 keystore configuration (secrets are write-only)',
      tag: 'l1',
      access: 'admin',
      body: createL1ConfigBody,
      status: 201,
      response: l1ConfigView,
      async handler(ctx, { body, principal }) {
        const { settings, secrets, secretNames } = validateKeystoreConfig(body);
        const id = l1Configs.newId();
        const secretsJson = Buffer.from(JSON.stringify(secrets), 'utf8');
        let sealedSecrets: string;
        try {
          sealedSecrets = deps.sealer.seal(secretsJson, l1SecretsAad(principal.tenantId, id));
        } finally {
          secretsJson.fill(0);
        }
        const record: L1ConfigRecord = {
          _id: id,
          tenantId: principal.tenantId,
          kind: body.kind,
          label: body.label,
          settings,
          sealedSecrets,
          secretNames,
          createdAt: deps.now(),
          createdBy: principal.username,
          state: 'draft',
        };
        await l1Configs.insert(record);
        await auditUser(deps.audit, ctx, principal, {
          operation: 'l1.config.create',
          result: 'success',
          objectId: id,
          details: { kind: body.kind, label: body.label },
        });
        ctx.set('location', `/api/l1/configs/${id}`);
        return l1ConfigOf(record);
      },
    }),
    route({
      method: 'get',
      path: '/api/l1/configs/:id',
      operationId: 'getL1Config',
      summary: 'One L1 keystore configuration',
      tag: 'l1',
      access: 'user',
      params: configIdParams,
      response: l1ConfigView,
      async handler(_ctx, { params, principal }) {
        return l1ConfigOf(await configOf(principal, params.id));
      },
    }),
    route({
      method: 'delete',
      path: '/api/l1/configs/:id',
      operationId: 'deleteL1Config',
      summary: 'Delete a draft or retired configuration (never the one the L1 key uses)',
      tag: 'l1',
      access: 'admin',
      params: configIdParams,
      status: 204,
      errorStatuses: [409],
      async handler(ctx, { params, principal }) {
        const config = await configOf(principal, params.id);
        const { l1 } = await tenantOf(principal);
        const inUse = config.state === 'active' || l1.configId === config._id;
        // deleteInactive refuses an active configuration atomically, should it turn active meanwhile.
        if (inUse || !(await l1Configs.deleteInactive(principal.tenantId, config._id))) {
          throw errors.conflict(`the L1 key (${l1.status}) uses this configuration; activate another one before deleting it`);
        }
        await auditUser(deps.audit, ctx, principal, {
          operation: 'l1.config.delete',
          result: 'success',
          objectId: config._id,
          details: { kind: config.kind, label: config.label },
        });
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/api/l1/configs/:id/tests',
      operationId: 'startL1ConfigTest',
      summary: 'Start the connection diagnostics (a workflow) without waiting; poll the test for its steps',
      tag: 'l1',
      access: 'admin',
      params: configIdParams,
      status: 202,
      response: testStarted,
      errorStatuses: [503],
      async handler(ctx, { params, principal }) {
        const config = await configOf(principal, params.id);
        const { testId } = await starter.startL1Test({ tenantId: principal.tenantId, configId: config._id, actor: userActor(principal.username) });
        ctx.set('location', `/api/l1/configs/${config._id}/tests/${testId}`);
        return { testId };
      },
    }),
    route({
      method: 'get',
      path: '/api/l1/configs/:id/tests/:testId',
      operationId: 'getL1ConfigTest',
      summary: 'A connection test: its steps so far (the rest pending) and, once completed, the result',
      tag: 'l1',
      access: 'user',
      params: testParams,
      response: testRunView,
      errorStatuses: [503],
      async handler(_ctx, { params, principal }) {
        const config = await configOf(principal, params.id);
        const run = await starter.l1Test(principal.tenantId, config._id, params.testId);
        if (!run) throw errors.notFound('connection test');
        return testRunOf(params.testId, run, config.liveTest);
      },
    }),
    route({
      method: 'post',
      path: '/api/l1/configs/:id/test',
      operationId: 'testL1Config',
      summary: 'Run the connection diagnostics (a workflow) and wait for the result',
      tag: 'l1',
      access: 'admin',
      params: configIdParams,
      response: testResultView,
      errorStatuses: [503],
      async handler(_ctx, { params, principal }) {
        const config = await configOf(principal, params.id);
        const result = await starter.testL1({ tenantId: principal.tenantId, configId: config._id, actor: userActor(principal.username) });
        await l1Configs.recordTest(principal.tenantId, config._id, {
          at: deps.now(),
          ok: result.ok,
          ...(result.failedStep ? { failedStep: result.failedStep } : {}),
          steps: result.steps,
        });
        return result;
      },
    }),
    route({
      method: 'post',
      path: '/api/l1/configs/:id/activate',
      operationId: 'activateL1Config',
      summary: 'Start activating this configuration (its last test must have passed); poll /api/l1/activation',
      tag: 'l1',
      access: 'admin',
      params: configIdParams,
      status: 202,
      response: activationStarted,
      errorStatuses: [409],
      async handler(_ctx, { params, principal }) {
        const config = await configOf(principal, params.id);
        if (!config.lastTest?.ok) throw errors.conflict('test the connection successfully before activating', 'test_required');
        const tenant = await tenantOf(principal);
        if (tenant.status !== 'ready' && tenant.status !== 'degraded') {
          throw errors.conflict(`the tenant is ${tenant.status}; activation needs it ready`);
        }
        return starter.activateL1({ tenantId: principal.tenantId, configId: config._id, actor: userActor(principal.username) });
      },
    }),
    route({
      method: 'get',
      path: '/api/l1/activation',
      operationId: 'getL1Activation',
      summary: 'Progress and result of the latest activation',
      tag: 'l1',
      access: 'user',
      response: activationView,
      errorStatuses: [404],
      async handler(_ctx, { principal }) {
        const view = await starter.activation(principal.tenantId);
        if (!view) throw errors.notFound('activation');
        return view;
      },
    }),
    route({
      method: 'get',
      path: '/api/l1',
      operationId: 'getL1State',
      summary: 'The L1 key status: inactive, activating, active, error (with reason) or revoked',
      tag: 'l1',
      access: 'user',
      response: l1StateView,
      async handler(_ctx, { principal }) {
        return l1StateOf((await tenantOf(principal)).l1);
      },
    }),
    route({
      method: 'post',
      path: '/api/l1/rotate',
      operationId: 'rotateL2',
      summary: 'Add a tenant key (L2) version; confirm with the tenant id',
      tag: 'l1',
      access: 'admin',
      body: rotateBody,
      response: rotateResponse,
      errorStatuses: [409, 503],
      async handler(_ctx, { body, principal }) {
        confirmTenant(principal, body.confirm);
        const tenant = await tenantOf(principal);
        if (tenant.l1.status !== 'active') throw errors.conflict(`the L1 key is ${tenant.l1.status}; rotation needs it active`);
        const { l2Version } = await starter.rotateL2({ tenantId: principal.tenantId, actor: userActor(principal.username) });
        return { l2Version };
      },
    }),
    route({
      method: 'post',
      path: '/api/l1/revoke',
      operationId: 'revokeL1',
      summary: 'Kill switch: every KMIP node refuses the tenant’s keys; confirm with the tenant id',
      tag: 'l1',
      access: 'admin',
      body: revokeBody,
      response: revokeResponse,
      errorStatuses: [503],
      async handler(_ctx, { body, principal }) {
        confirmTenant(principal, body.confirm);
        await tenantOf(principal);
        await starter.revokeL1({ tenantId: principal.tenantId, actor: userActor(principal.username), reason: body.reason });
        return { status: 'revoked' as const };
      },
    }),
  ];
}
