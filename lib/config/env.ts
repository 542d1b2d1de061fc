import path from 'node:path';
import { z } from 'zod';

/**
 * Process configuration, read once from environment variables. Every OpenKCM process
 * (API, worker, KMIP server, CLI) uses the same names; the dev-stack supervisor sets them.
 */
const port = z.coerce.number().int().min(0).max(65_535);

const schema = z.object({
  OPENKCM_DATA_DIR: z.string().default('.data'),
  OPENKCM_MONGODB_URI: z.string().default('mongodb://127.0.0.1:27017/'),
  OPENKCM_MONGODB_DATABASE: z.string().default('openkcm'),
  OPENKCM_TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  OPENKCM_TEMPORAL_NAMESPACE: z.string().default('default'),
  OPENKCM_TEMPORAL_TASK_QUEUE: z.string().default('openkcm'),
  /** Default bind address of every listener: 127.0.0.1 in dev, 0.0.0.0 in containers. */
  OPENKCM_LISTEN_HOST: z.string().default('127.0.0.1'),
  OPENKCM_API_HOST: z.string().optional(),
  OPENKCM_CONSOLE_DIR: z.string().default('console/dist'),
  OPENKCM_API_PORT: port.default(8080),
  OPENKCM_PUBLIC_URL: z.string().optional(),
  OPENKCM_KMIP_HOST: z.string().optional(),
  OPENKCM_KMIP_PORT: port.default(5696),
  OPENKCM_KMIP_ADMIN_PORT: port.default(9696),
  OPENKCM_PLATFORM_KEY_FILE: z.string().optional(),
  OPENKCM_WEBHOOK_SECRET_FILE: z.string().optional(),
  OPENKCM_NOTIFY_WEBHOOK_URL: z.url().optional(),
  OPENKCM_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface Config {
  dataDir: string;
  mongodb: { uri: string; database: string };
  temporal: { address: string; namespace: string; taskQueue: string };
  api: { host: string; port: number; publicUrl: string; consoleDir: string };
  kmip: { host: string; port: number; adminPort: number };
  platformKeyFile: string;
  webhookSecretFile: string;
  /** Where notifications are POSTed (signed with the webhook secret), e.g. Platform Mesh. */
  notifyWebhookUrl?: string;
  logLevel: z.infer<typeof schema>['OPENKCM_LOG_LEVEL'];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${fields}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.OPENKCM_DATA_DIR);
  const apiHost = e.OPENKCM_API_HOST ?? e.OPENKCM_LISTEN_HOST;
  return {
    dataDir,
    mongodb: { uri: e.OPENKCM_MONGODB_URI, database: e.OPENKCM_MONGODB_DATABASE },
    temporal: {
      address: e.OPENKCM_TEMPORAL_ADDRESS,
      namespace: e.OPENKCM_TEMPORAL_NAMESPACE,
      taskQueue: e.OPENKCM_TEMPORAL_TASK_QUEUE,
    },
    api: {
      host: apiHost,
      port: e.OPENKCM_API_PORT,
      publicUrl: e.OPENKCM_PUBLIC_URL ?? `http://${apiHost === '0.0.0.0' ? '127.0.0.1' : apiHost}:${e.OPENKCM_API_PORT}`,
      consoleDir: path.resolve(e.OPENKCM_CONSOLE_DIR),
    },
    kmip: { host: e.OPENKCM_KMIP_HOST ?? e.OPENKCM_LISTEN_HOST, port: e.OPENKCM_KMIP_PORT, adminPort: e.OPENKCM_KMIP_ADMIN_PORT },
    platformKeyFile: e.OPENKCM_PLATFORM_KEY_FILE ?? path.join(dataDir, 'platform.key'),
    webhookSecretFile: e.OPENKCM_WEBHOOK_SECRET_FILE ?? path.join(dataDir, 'webhook.secret'),
    ...(e.OPENKCM_NOTIFY_WEBHOOK_URL ? { notifyWebhookUrl: e.OPENKCM_NOTIFY_WEBHOOK_URL } : {}),
    logLevel: e.OPENKCM_LOG_LEVEL,
  };
}
