import type { ApiDeps } from '../deps.js';
import { route, type AnyRoute } from '../http/route.js';
import type { WorkflowStarter } from '../workflow-starter.js';
import { platformMeshEvent, webhookAccepted } from './schema.js';

const platformActor = { kind: 'platform', id: 'platform-mesh' } as const;

/**
 * Platform Mesh tenant events. The signature is checked over the raw bytes before anything is
 * parsed; the event id makes delivery idempotent; the work itself is a workflow, started
 * (never awaited) here.
 */
export function webhookRoutes(deps: ApiDeps, starter: WorkflowStarter): AnyRoute[] {
  const { webhookEvents } = deps.repos;
  return [
    route({
      method: 'post',
      path: '/webhooks/platform-mesh',
      operationId: 'platformMeshWebhook',
      summary: 'Platform Mesh tenant events (tenant.created starts provisioning, tenant.deleted offboarding)',
      tag: 'platform',
      access: 'platform',
      body: platformMeshEvent,
      status: 202,
      response: webhookAccepted,
      async handler(ctx, { body: event }) {
        const { tenantId } = event.data;
        const { fresh, record } = await webhookEvents.record({
          _id: event.id,
          type: event.type,
          tenantId,
          receivedAt: deps.now(),
        });
        if (!fresh && record.state === 'started') {
          ctx.status = 200;
          ctx.body = webhookAccepted.parse({ accepted: false, duplicate: true, workflowId: record.workflowId });
          return undefined;
        }
        const started =
          event.type === 'tenant.created'
            ? await starter.provisionTenant({ tenantId, displayName: event.data.displayName ?? tenantId, eventId: event.id })
            : await starter.offboardTenant({ tenantId, eventId: event.id, actor: platformActor });
        await webhookEvents.markStarted(event.id, started, deps.now());
        deps.logger.info({ eventId: event.id, type: event.type, tenantId, workflowId: started.workflowId }, 'platform mesh event accepted');
        return { accepted: true, workflowId: started.workflowId };
      },
    }),
  ];
}
