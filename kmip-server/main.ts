/**
 * OpenKCM KMIP server entry point. The primary process forks one worker per core
 * (OPENKCM_KMIP_WORKERS) that share the KMIP port; it serves `GET /healthz`, `GET /metrics`
 * and `POST /internal/tenants/:id/invalidate` on OPENKCM_KMIP_ADMIN_PORT and stops cleanly on
 * SIGTERM. Configuration: OPENKCM_* environment variables (lib/config/env.ts, kmip-server/config.ts).
 */
import cluster from 'node:cluster';
import { runPrimary } from './cluster/primary.js';
import { runWorker } from './cluster/worker.js';

const run = cluster.isPrimary ? runPrimary : runWorker;
run().catch((error: unknown) => {
  // Startup failures must be visible and fatal (the supervisor restarts or reports us).
  console.error(JSON.stringify({ level: 'fatal', msg: 'KMIP server failed to start', err: (error as Error).stack ?? String(error) }));
  process.exit(1);
});
