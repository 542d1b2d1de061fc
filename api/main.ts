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
import { loadConfig } from '../lib/config/env.js';
import { openPlatform } from '../lib/runtime/platform.js';
import { loadOrCreatePlatformKey } from '../lib/secrets/index.js';
import { createApp } from './app.js';
import { AuditLog } from './audit/audit-log.js';
import { SigningKeyRepository } from './auth/signing-keys.js';
import { loadApiConfig } from './config.js';
import type { ApiRepositories } from './deps.js';
import { WebhookEventRepository } from './webhooks/events.js';

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
  // Same file and format the worker reads (it signs outgoing notifications with it); created on first start.
  const webhookKeys = await loadOrCreatePlatformKey(base.webhookSecretFile);
  const config = loadApiConfig(base, [webhookKeys.current, ...webhookKeys.previous]);
  config.consoleDir ??= fileURLToPath(new URL('../console/dist', import.meta.url));

  const platform = await openPlatform(base, 'api', {
    auditHooks: {
      onFlushError: ({ error, attempt, depth, retryInMs }) =>
        logger.warn({ err: (error as Error).message, attempt, depth, retryInMs }, 'audit batch not stored yet; retrying'),
      onRefused: ({ depth }) => logger.error({ depth }, 'audit buffer full: refusing audited operations'),
    },
  });
  const { db } = platform.store;
  const repos: ApiRepositories = {
    tenants: platform.tenants,
    l1Configs: platform.l1Configs,
    users: platform.users,
    notifications: platform.notifications,
    services: platform.services,
    webhookEvents: new WebhookEventRepository(db),
    signingKeys: new SigningKeyRepository(db, platform.box),
  };
  await repos.webhookEvents.ensureIndexes();
  const pki = await platform.pki();
  const connection = await connectTemporal(base.temporal.address);
  const temporal = new Client({ connection, namespace: base.temporal.namespace });

  const app = createApp(
    { config, repos, temporal, sealer: platform.box, audit: new AuditLog(db, platform.audit), pki, now: () => new Date(), logger, version: packageVersion() },
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
    const unflushed = platform.audit.stats().depth;
    await connection.close().catch(() => undefined);
    // Flushes the audit buffer, closes connectors and the store, forgets the platform key.
    await platform.close().catch((error: unknown) => logger.error({ err: error }, 'closing the platform failed'));
    logger.info({ auditEventsPendingAtStop: unflushed }, 'stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
}

main().catch((error: unknown) => {
  // Configuration and startup errors are written for operators; they carry no secrets.
  console.error(`openkcm-api: ${(error as Error).message}`);
  process.exit(1);
});
