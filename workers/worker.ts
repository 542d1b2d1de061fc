import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import * as smokeActivities from '../activities/smoke.js';
import type { Config } from '../lib/config/env.js';
import { kmipAdminToken } from '../lib/kmip-nodes/invalidation.js';
import { openPlatform } from '../lib/runtime/platform.js';
import { loadOrCreatePlatformKey } from '../lib/secrets/index.js';

/** Workflows are bundled from source under tsx and from dist/ in the container image. */
const workflowsPath = fileURLToPath(new URL(`../workflows/index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker stopped (after `worker.shutdown()` or a signal) and everything is closed. */
  done: Promise<void>;
}

/**
 * The OpenKCM worker: all workflows and activities on one task queue. The SDK shuts it down
 * gracefully on SIGINT/SIGTERM, letting running activities finish.
 */
export async function startWorker(config: Config): Promise<RunningWorker> {
  const platform = await openPlatform(config, 'worker');
  // The webhook secret is shared with Platform Mesh; it signs outgoing notifications too.
  const webhookSecret = (await loadOrCreatePlatformKey(config.webhookSecretFile)).current;
  const activities = createActivities({
    db: platform.store.db,
    tenants: platform.tenants,
    l1Configs: platform.l1Configs,
    wrappedKeys: platform.wrappedKeys,
    users: platform.users,
    services: platform.services,
    notifications: platform.notifications,
    kmipNodes: platform.kmipNodes,
    box: platform.box,
    pki: () => platform.pki(),
    audit: platform.audit,
    connectors: platform.connectors,
    buildConnector: (tenantId, configId) => platform.buildConnector(tenantId, configId),
    kmipAdminToken: kmipAdminToken(platform.platformKey),
    ...(config.notifyWebhookUrl ? { notifyWebhook: { url: config.notifyWebhookUrl, secret: webhookSecret } } : {}),
    consoleUrl: config.api.publicUrl,
  });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath,
    activities: { ...activities, ...smokeActivities },
  });
  const done = worker.run().finally(async () => {
    await platform.close();
    await connection.close();
  });
  return { worker, done };
}
