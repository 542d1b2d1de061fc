import { Connection } from '@temporalio/client';
import path from 'node:path';
import type { StackConfig } from '../config.js';
import { repoRoot } from '../paths.js';
import { httpOk } from '../probes.js';
import type { StackSecrets } from '../secrets.js';
import type { ServerSpec } from '../supervisor.js';
import { mongodbUri } from './ferretdb.js';
import { temporalAddress } from './temporal.js';

/**
 * The environment every OpenKCM process reads its configuration from (lib/config/).
 * This is the whole contract between the supervisor and the services.
 */
export function openkcmEnv(config: StackConfig, secrets: StackSecrets, softhsmConf: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    OPENKCM_DATA_DIR: config.dataDir,
    OPENKCM_LISTEN_HOST: '127.0.0.1',
    OPENKCM_LOG_LEVEL: config.logLevel,
    OPENKCM_MONGODB_URI: mongodbUri(config),
    OPENKCM_MONGODB_DATABASE: config.database,
    OPENKCM_TEMPORAL_ADDRESS: temporalAddress(config),
    OPENKCM_TEMPORAL_NAMESPACE: config.namespace,
    OPENKCM_TEMPORAL_TASK_QUEUE: config.taskQueue,
    OPENKCM_API_PORT: String(config.ports.api),
    OPENKCM_KMIP_PORT: String(config.ports.kmip),
    OPENKCM_KMIP_ADMIN_PORT: String(config.ports.kmipAdmin),
    OPENKCM_CONSOLE_DIR: path.join(repoRoot, 'console', 'dist'),
    OPENKCM_PLATFORM_KEY_FILE: secrets.platformKeyFile,
    OPENKCM_WEBHOOK_SECRET_FILE: secrets.webhookSecretFile,
    SOFTHSM2_CONF: softhsmConf,
  };
}

function tsProcess(name: string, title: string, entry: string, env: NodeJS.ProcessEnv): Omit<ServerSpec, 'ready' | 'readyTimeoutMs'> {
  return {
    name,
    title,
    command: process.execPath,
    args: ['--enable-source-maps', '--import', 'tsx', path.join(repoRoot, entry)],
    cwd: repoRoot,
    env,
  };
}

export function apiUrl(config: StackConfig): string {
  return `http://127.0.0.1:${config.ports.api}`;
}

export function kmipAdminUrl(config: StackConfig): string {
  return `http://127.0.0.1:${config.ports.kmipAdmin}`;
}

export function apiServer(config: StackConfig, env: NodeJS.ProcessEnv): ServerSpec {
  return {
    ...tsProcess('api', 'OpenKCM API', 'api/main.ts', env),
    readyTimeoutMs: 60_000,
    ready: () => httpOk(`${apiUrl(config)}/healthz`),
  };
}

/** The KMIP server runs from its built file (`entry`, from kmip-server/build.ts): the hot path runs no TypeScript loader. */
export function kmipServer(config: StackConfig, env: NodeJS.ProcessEnv, entry: string): ServerSpec {
  return {
    name: 'kmip',
    title: 'OpenKCM KMIP server',
    command: process.execPath,
    args: ['--enable-source-maps', entry],
    cwd: repoRoot,
    env,
    readyTimeoutMs: 60_000,
    ready: () => httpOk(`${kmipAdminUrl(config)}/healthz`),
  };
}

/**
 * A worker is ready when Temporal lists it as a poller on the task queue. The SDK's default
 * identity starts with `<pid>@`, which tells this worker apart from pollers that a previous
 * run left in Temporal's list for a few minutes.
 */
export function workerServer(config: StackConfig, env: NodeJS.ProcessEnv): ServerSpec {
  return {
    ...tsProcess('worker', 'OpenKCM worker', 'workers/main.ts', env),
    readyTimeoutMs: 120_000,
    ready: async (pid: number) => {
      const connection = await Connection.connect({ address: temporalAddress(config), connectTimeout: 2_000 });
      try {
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace: config.namespace,
          taskQueue: { name: config.taskQueue },
        });
        return pollers.some((p) => p.identity?.startsWith(`${pid}@`));
      } finally {
        await connection.close();
      }
    },
  };
}
