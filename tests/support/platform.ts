import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../../lib/config/env.js';
import { openPlatform, type Platform } from '../../lib/runtime/platform.js';
import { stack } from './stack.js';

/** The environment the stack gives its OpenKCM processes, for tests that act as one of them. */
export function stackEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const s = stack();
  return {
    OPENKCM_DATA_DIR: s.dataDir,
    OPENKCM_MONGODB_URI: s.mongodb.uri,
    OPENKCM_MONGODB_DATABASE: s.mongodb.database,
    OPENKCM_TEMPORAL_ADDRESS: s.temporal.address,
    OPENKCM_TEMPORAL_NAMESPACE: s.temporal.namespace,
    OPENKCM_TEMPORAL_TASK_QUEUE: s.temporal.taskQueue,
    OPENKCM_PLATFORM_KEY_FILE: s.secrets.platformKeyFile,
    OPENKCM_WEBHOOK_SECRET_FILE: s.secrets.webhookSecretFile,
    OPENKCM_API_PORT: new URL(s.api.url).port,
    OPENKCM_KMIP_PORT: String(s.kmip.port),
    OPENKCM_KMIP_ADMIN_PORT: new URL(s.kmip.adminUrl).port,
    SOFTHSM2_CONF: s.softhsm.conf,
    OPENKCM_LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export function stackConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig(stackEnv(overrides));
}

/** The same store, platform key and repositories the stack's processes use. */
export function openStackPlatform(role = 'test'): Promise<Platform> {
  return openPlatform(stackConfig(), role);
}

export async function stackTemporalClient(): Promise<Client> {
  const s = stack();
  return new Client({ connection: await Connection.connect({ address: s.temporal.address }), namespace: s.temporal.namespace });
}

/** Unique, valid tenant ids, so tests sharing one stack never collide. */
export function uniqueTenantId(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
