import { randomUUID } from 'node:crypto';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { call } from '../http.js';
import { seconds, type Output } from '../output.js';
import { loadCredentials, saveCredentials } from '../session.js';

/** What Platform Mesh does, done from a terminal: signed tenant events and signed reads. */
interface TenantOverview {
  id: string;
  displayName: string;
  status: string;
  statusReason?: string;
  createdAt: string;
  readyAt?: string;
  provisioningDurationMs?: number;
  l1: { status: string; reason?: string; currentL2Version?: number };
  services: { total: number };
  kmip: { endpoint: string };
}

const POLL_MS = 500;

async function sendEvent(ctx: CliContext, type: 'tenant.created' | 'tenant.deleted', tenantId: string, displayName?: string) {
  const event = {
    id: randomUUID(),
    type,
    createdAt: new Date().toISOString(),
    data: { tenantId, ...(displayName ? { displayName } : {}) },
  };
  const response = await call<{ accepted: boolean; workflowId?: string; duplicate?: boolean }>(ctx.apiUrl, 'POST', '/webhooks/platform-mesh', {
    body: event,
    signWith: await ctx.webhookSecret(),
  });
  return { eventId: event.id, ...response.body };
}

async function overview(ctx: CliContext, tenantId: string): Promise<TenantOverview | undefined> {
  const response = await call<TenantOverview>(ctx.apiUrl, 'GET', `/platform/tenants/${encodeURIComponent(tenantId)}`, {
    signWith: await ctx.webhookSecret(),
    accept: [404],
  });
  return response.status === 404 ? undefined : response.body;
}

export async function tenantCreate(
  ctx: CliContext,
  output: Output,
  options: { tenantId: string; displayName?: string; timeoutMs: number },
): Promise<void> {
  const started = Date.now();
  const sent = await sendEvent(ctx, 'tenant.created', options.tenantId, options.displayName);
  output.progress(`tenant.created sent for ${options.tenantId} (event ${sent.eventId}); workflow ${sent.workflowId ?? '?'}`);

  let lastStatus: string | undefined;
  for (;;) {
    const tenant = await overview(ctx, options.tenantId);
    const status = tenant ? `${tenant.status}${tenant.statusReason ? ` (${tenant.statusReason})` : ''}` : 'waiting for the tenant record';
    if (status !== lastStatus) {
      output.progress(`  … ${status} (${seconds(Date.now() - started)})`);
      lastStatus = status;
    }
    if (tenant?.status === 'ready') break;
    if (tenant && (tenant.status === 'offboarding' || tenant.status === 'offboarded')) {
      throw new CliError(`tenant ${options.tenantId} is ${tenant.status}`);
    }
    if (Date.now() - started > options.timeoutMs) {
      throw new CliError(`tenant ${options.tenantId} not ready after ${seconds(options.timeoutMs)} (last: ${status}); is the worker running?`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  output.progress(`ready in ${seconds(Date.now() - started)}`);

  const file = ctx.credentialsFile(options.tenantId);
  const taken = await call<{ username: string; password: string }>(ctx.apiUrl, 'POST', `/platform/tenants/${encodeURIComponent(options.tenantId)}/credentials`, {
    signWith: await ctx.webhookSecret(),
    accept: [404],
  });
  output.out(`Tenant ${options.tenantId} is ready.`);
  output.out(`Console:  ${ctx.consoleUrl}/`);
  if (taken.status === 200) {
    await saveCredentials(file, { tenantId: options.tenantId, ...taken.body, apiUrl: ctx.apiUrl, savedAt: new Date().toISOString() });
    output.out(`Tenant:   ${options.tenantId}`);
    output.out(`Username: ${taken.body.username}`);
    output.out(`Password: ${taken.body.password}`);
    output.out(`(shown once; saved to ${file} with mode 0600)`);
  } else {
    const saved = await loadCredentials(file);
    output.out(
      saved
        ? `The initial credentials were handed over earlier; they are in ${file}.`
        : 'The initial credentials were handed over earlier (they are shown only once).',
    );
  }
}

export async function tenantDelete(ctx: CliContext, output: Output, options: { tenantId: string; timeoutMs: number }): Promise<void> {
  const started = Date.now();
  const sent = await sendEvent(ctx, 'tenant.deleted', options.tenantId);
  output.progress(`tenant.deleted sent for ${options.tenantId} (event ${sent.eventId}); workflow ${sent.workflowId ?? '?'}`);
  let last: string | undefined;
  for (;;) {
    const tenant = await overview(ctx, options.tenantId);
    const status = tenant?.status ?? 'removed';
    if (status !== last) {
      output.progress(`  … ${status} (${seconds(Date.now() - started)})`);
      last = status;
    }
    if (!tenant || tenant.status === 'offboarded') break;
    if (Date.now() - started > options.timeoutMs) throw new CliError(`tenant ${options.tenantId} still ${status} after ${seconds(options.timeoutMs)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  output.out(`Tenant ${options.tenantId} is offboarded: certificates revoked, tenant keys crypto-shredded.`);
}

export async function tenantStatus(ctx: CliContext, output: Output, options: { tenantId: string; json: boolean }): Promise<void> {
  const tenant = await overview(ctx, options.tenantId);
  if (!tenant) throw new CliError(`tenant ${options.tenantId} does not exist`);
  if (options.json) {
    output.out(JSON.stringify(tenant, null, 2));
    return;
  }
  output.out(`Tenant:    ${tenant.id} (${tenant.displayName})`);
  output.out(`Status:    ${tenant.status}${tenant.statusReason ? ` — ${tenant.statusReason}` : ''}`);
  if (tenant.provisioningDurationMs !== undefined) output.out(`Ready in:  ${seconds(tenant.provisioningDurationMs)}`);
  output.out(
    `L1 key:    ${tenant.l1.status}${tenant.l1.reason ? ` — ${tenant.l1.reason}` : ''}${tenant.l1.currentL2Version ? ` (tenant key v${tenant.l1.currentL2Version})` : ''}`,
  );
  output.out(`Services:  ${tenant.services.total}`);
  output.out(`KMIP:      ${tenant.kmip.endpoint}`);
}
