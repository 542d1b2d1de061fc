import path from 'node:path';
import { SetupError } from './errors.js';
import { freePort } from './free-port.js';
import { cacheDir, repoRoot } from './paths.js';

/** Every port the stack listens on, all bound to 127.0.0.1. */
export interface Ports {
  temporal: number;
  temporalUi: number;
  mongodb: number;
  localKms: number;
  kmip: number;
  kmipAdmin: number;
  api: number;
  pykmip: number;
  lowkeyVault: number;
}

/** The env var that overrides each port, and its default for `npm start`. */
export const portSettings: Record<keyof Ports, { env: string; default: number; title: string }> = {
  temporal: { env: 'OPENKCM_TEMPORAL_PORT', default: 7233, title: 'Temporal gRPC' },
  temporalUi: { env: 'OPENKCM_TEMPORAL_UI_PORT', default: 8233, title: 'Temporal UI' },
  mongodb: { env: 'OPENKCM_MONGODB_PORT', default: 27017, title: 'FerretDB (MongoDB wire protocol)' },
  localKms: { env: 'OPENKCM_LOCAL_KMS_PORT', default: 4599, title: 'local-kms (AWS KMS API)' },
  kmip: { env: 'OPENKCM_KMIP_PORT', default: 5696, title: 'OpenKCM KMIP server' },
  kmipAdmin: { env: 'OPENKCM_KMIP_ADMIN_PORT', default: 9696, title: 'OpenKCM KMIP admin/metrics' },
  api: { env: 'OPENKCM_API_PORT', default: 8080, title: 'OpenKCM API and console' },
  pykmip: { env: 'OPENKCM_PYKMIP_PORT', default: 5697, title: 'PyKMIP server' },
  lowkeyVault: { env: 'OPENKCM_LOWKEY_VAULT_PORT', default: 8443, title: 'Lowkey Vault (Azure Key Vault API)' },
};

export interface StackConfig {
  /** Absolute; everything the stack writes lives here (databases, logs, secrets, stack.json). */
  dataDir: string;
  cacheDir: string;
  ports: Ports;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  namespace: string;
  taskQueue: string;
  database: string;
  /** Wipe the data directory before starting (the test stack starts from nothing). */
  fresh: boolean;
}

const logLevels = ['debug', 'info', 'warn', 'error'] as const;

function parsePort(name: string, raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SetupError(`${name}=${raw} is not a TCP port`, `set ${name} to a number from 1 to 65535, or unset it`);
  }
  return port;
}

function common(env: NodeJS.ProcessEnv): Omit<StackConfig, 'dataDir' | 'ports' | 'fresh'> {
  const logLevel = (env.OPENKCM_LOG_LEVEL ?? 'info') as StackConfig['logLevel'];
  if (!logLevels.includes(logLevel)) {
    throw new SetupError(`OPENKCM_LOG_LEVEL=${logLevel} is not a log level`, `use one of ${logLevels.join(', ')}`);
  }
  return {
    cacheDir: cacheDir(env),
    logLevel,
    namespace: env.OPENKCM_TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.OPENKCM_TEMPORAL_TASK_QUEUE ?? 'openkcm',
    database: env.OPENKCM_MONGODB_DATABASE ?? 'openkcm',
  };
}

/** `npm start`: fixed, overridable ports and a data directory that survives restarts. */
export function devConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const ports = {} as Ports;
  for (const [key, setting] of Object.entries(portSettings) as [keyof Ports, (typeof portSettings)[keyof Ports]][]) {
    const raw = env[setting.env];
    ports[key] = raw ? parsePort(setting.env, raw) : setting.default;
  }
  return {
    ...common(env),
    dataDir: path.resolve(repoRoot, env.OPENKCM_DATA_DIR ?? '.data'),
    ports,
    fresh: false,
  };
}

/**
 * The test stack: fresh data in `.data-test/` (or OPENKCM_TEST_DATA_DIR) and ephemeral ports,
 * so `npm test` runs beside a running `npm start`.
 */
export async function testConfig(env: NodeJS.ProcessEnv = process.env): Promise<StackConfig> {
  const ports = {} as Ports;
  for (const key of Object.keys(portSettings) as (keyof Ports)[]) ports[key] = await freePort();
  const shared = common(env);
  return {
    ...shared,
    // Quieter by default: test output should be about tests.
    logLevel: env.OPENKCM_LOG_LEVEL ? shared.logLevel : 'warn',
    dataDir: path.resolve(repoRoot, env.OPENKCM_TEST_DATA_DIR ?? '.data-test'),
    ports,
    fresh: true,
  };
}
