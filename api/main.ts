/**
 * The OpenKCM API process: configuration from OPENKCM_* variables, the store, Temporal, the
 * platform key, PKI and audit writer; then the Koa app on OPENKCM_API_HOST:OPENKCM_API_PORT
 * with the built console at `/`. SIGTERM/SIGINT stop accepting, finish in-flight requests,
 * flush the audit buffer and close connections.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { AuditWriter } from '../lib/audit/index.js';
import { loadConfig } from '../lib/config/env.js';
import { PlatformPki } from '../lib/pki/index.js';
import { SecretBox, loadOrCreatePlatformKey } from '../lib/secrets/index.js';
import { connectStore } from '../lib/store/mongo.js';
import { createApp } from './app.js';
import { AuditLog } from './audit/audit-log.js';
import { loadApiConfig, readWebhookSecret } from './config.js';
import { createRepositories, ensureApiIndexes } from './store.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function connectTemporal(address: string, attempts = 30): Promise<Connection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await Connection.connect({ address, connectTimeout: 2_000 });
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function main(): Promise<void> {
  const base = loadConfig();
  const logger = pino({ name: 'openkcm-api', level: base.logLevel });
  const config = loadApiConfig(base, await readWebhookSecret(base.webhookSecretFile));
  config.consoleDir ??= fileURLToPath(new URL('../console/dist', import.meta.url));

  const platformKeys = await loadOrCreatePlatformKey(base.platformKeyFile);
  const box = new SecretBox(platformKeys);
  const store = await connectStore(base.mongodb.uri, base.mongodb.database);
  const repos = createRepositories(store.db, box);
  await ensureApiIndexes(store.db, repos);
  const pki = await PlatformPki.open(store.db, box);
  const writer = new AuditWriter({
    db: store.db,
    role: 'api',
    hooks: {
      onFlushError: ({ attempt, depth, retryInMs }) => logger.warn({ attempt, depth, retryInMs }, 'audit store write failed; retrying'),
      onRefused: ({ depth }) => logger.error({ depth }, 'audit buffer full; refusing operations'),
    },
  });
  const connection = await connectTemporal(base.temporal.address);
  const temporal = new Client({ connection, namespace: base.temporal.namespace });

  const app = createApp(
    { config, repos, temporal, sealer: box, audit: new AuditLog(store.db, writer), pki, now: () => new Date(), logger, version: packageVersion() },
    { defaultMetrics: true },
  );
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listenPort, config.listenHost, () => resolve());
  });
  logger.info({ url: `http://${config.listenHost}:${config.listenPort}`, publicUrl: config.publicUrl, console: config.consoleDir }, 'openkcm-api listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(forced);
    const { unflushed } = await writer.close(5_000);
    if (unflushed > 0) logger.error({ unflushed }, 'audit events could not be stored before exit');
    await connection.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    box.destroy();
    logger.info('stopped');
    process.exit(unflushed > 0 ? 1 : 0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
}

main().catch((error: unknown) => {
  // Configuration and startup errors are written for operators; they carry no secrets.
  console.error(`openkcm-api: ${(error as Error).message}`);
  process.exit(1);
});
