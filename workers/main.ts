/**
 * PLACEHOLDER entry point of the OpenKCM worker process (the workflow work extends it):
 * a Temporal worker on OPENKCM_TEMPORAL_TASK_QUEUE running workflows/index.ts.
 *
 * The dev stack treats the worker as ready once Temporal lists a poller whose identity
 * starts with this process's `<pid>@` — the SDK's default identity; keep it.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import * as smokeActivities from '../activities/smoke.js';

const connection = await NativeConnection.connect({
  address: process.env.OPENKCM_TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
});
const worker = await Worker.create({
  connection,
  namespace: process.env.OPENKCM_TEMPORAL_NAMESPACE ?? 'default',
  taskQueue: process.env.OPENKCM_TEMPORAL_TASK_QUEUE ?? 'openkcm',
  // Run through tsx in development, compiled to dist/ in the container image.
  workflowsPath: fileURLToPath(new URL(`../workflows/index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url)),
  activities: { ...smokeActivities },
});
console.log(`openkcm-worker polling ${worker.options.taskQueue}`);
// The SDK shuts the worker down gracefully on SIGINT/SIGTERM, then run() resolves.
await worker.run();
await connection.close();
