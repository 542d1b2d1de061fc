import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { AuditJournal } from '../../lib/audit/journal.js';
import { loadConfig } from '../../lib/config/env.js';
import { L1ConnectorResolver } from '../../lib/keys/connectors.js';
import { type L1Use, StoreKeyHierarchy } from '../../lib/keys/hierarchy.js';
import { L2Cache } from '../../lib/keys/l2-cache.js';
import { WrappedL2Repository } from '../../lib/keys/repository.js';
import { createConnector } from '../../lib/keystores/factory.js';
import { loadOrCreatePlatformKey } from '../../lib/secrets/platform-key.js';
import { SecretBox } from '../../lib/secrets/secret-box.js';
import { connectStore } from '../../lib/store/mongo.js';
import { L1ConfigRepository } from '../../lib/tenants/l1-configs.js';
import { TenantRepository } from '../../lib/tenants/repository.js';
import { TenantStateView } from '../../lib/tenants/state-view.js';
import { auditJournalDir, loadKmipOptions } from '../config.js';
import type { KmipServices } from '../handlers/context.js';
import { SUPPORTED_VERSIONS, kmipHandlers } from '../handlers/index.js';
import { createLogger } from '../logger.js';
import { KmipMetrics } from '../metrics.js';
import { ObjectReadCache } from '../objects/read-cache.js';
import { type ReadDocument, ObjectRepository } from '../objects/repository.js';
import { KmipListener } from '../server/listener.js';
import { RevokedSerials } from '../server/revocations.js';
import type { FromWorker, ToWorker } from './ipc.js';
import { isToWorker } from './ipc.js';

/** The audit event of one L1 use; a full buffer refuses the KMIP operation anyway, so only log. */
function recordL1Use(audit: AuditJournal, use: L1Use, log: Logger): void {
  try {
    audit.record({
      tenantId: use.tenantId,
      actor: { kind: 'system', id: 'kmip-server' },
      operation: 'l1.unwrap',
      l2Version: use.l2Version,
      result: use.error ? 'failure' : 'success',
      ...(use.error ? { reason: use.error.slice(0, 1000) } : {}),
      latencyMs: use.durationMs,
      details: { l1ConfigId: use.l1.configId, l1KeyId: use.l1.keyId, ...(use.l1.keyVersion ? { l1KeyVersion: use.l1.keyVersion } : {}) },
    });
  } catch (error) {
    log.error({ err: (error as Error).message, tenantId: use.tenantId }, 'could not audit an L1 use');
  }
}

function send(m: FromWorker): void {
  process.send?.(m);
}

/** Sends and waits until the message has left, for the last message before the process exits. */
function sendAndFlush(m: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(m, undefined, {}, () => resolve());
  });
}

/** How long a change waits for the other workers to forget the object; after that their copies expire on their own. */
const CHANGE_NOTICE_TIMEOUT_MS = 2_000;

/**
 * Tells the node's other workers (through the primary) that this one changed an object, and
 * waits until they have forgotten it: a client that gets the answer to its Revoke and then
 * uses the key on a new connection, served by another worker, finds it revoked.
 */
class ObjectChangeNotices {
  #next = 0;
  readonly #waiting = new Map<number, () => void>();

  constructor(
    private readonly log: Logger,
    /** A lone worker has no one to tell. */
    private readonly alone: boolean,
  ) {}

  announce(tenantId: string, uid: string): Promise<void> {
    if (this.alone || !process.send || !process.connected) return Promise.resolve();
    const id = ++this.#next;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        this.log.warn({ tenantId }, 'other workers did not confirm forgetting a changed object in time');
        resolve();
      }, CHANGE_NOTICE_TIMEOUT_MS);
      this.#waiting.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      send({ type: 'openkcm:object-changed', id, tenantId, uid });
    });
  }

  confirmed(id: number): void {
    const done = this.#waiting.get(id);
    this.#waiting.delete(id);
    done?.();
  }
}

/**
 * A worker process: everything one KMIP request needs, built once — store connection, tenant
 * state view, key hierarchy with its L2 cache, audit writer, revocation list — then the TLS
 * listener on the shared port. The store is the truth for objects: a worker keeps a copy only
 * briefly and only for key use, and forgets it when any worker of the node changes the object
 * (objects/read-cache.ts), so any worker (of any node) can serve any request.
 */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const opts = loadKmipOptions();
  const log = createLogger(config.logLevel, 'kmip-worker', { worker: cluster.worker?.id });
  // First thing: answer the primary's metrics requests (a starting worker must not stall /metrics).
  new AggregatorRegistry();
  const init = await new Promise<Extract<ToWorker, { type: 'openkcm:init' }>>((resolve) => {
    const onMessage = (m: unknown): void => {
      if (isToWorker(m) && m.type === 'openkcm:init') {
        process.off('message', onMessage);
        resolve(m);
      }
    };
    process.on('message', onMessage);
    send({ type: 'openkcm:hello' });
  });

  const store = await connectStore(config.mongodb.uri, config.mongodb.database);
  const db = store.db;
  const box = new SecretBox(await loadOrCreatePlatformKey(config.platformKeyFile));
  const tenants = new TenantRepository(db);
  const l1Configs = new L1ConfigRepository(db);
  const cache = new L2Cache({ maxEntries: opts.l2CacheMax, ttlMs: opts.l2CacheTtlMs });
  const resolver = new L1ConnectorResolver({
    loadConfig: (tenantId, configId) => l1Configs.get(tenantId, configId),
    openSecrets: (sealed, aad) => box.open(sealed, aad),
    build: (settings, secrets) => createConnector(settings, secrets),
  });
  // Callbacks below refer to objects built after them; none runs before start() is called.
  const view = new TenantStateView(tenants, {
    pollIntervalMs: opts.tenantPollMs,
    // A changed L1 state (revoked, re-activated, rotated) drops the tenant's cached keys and connectors.
    onChange: (tenantId) => {
      hierarchy.invalidate(tenantId);
      void resolver.evictTenant(tenantId);
    },
    onError: (error) => log.warn({ err: (error as Error).message }, 'tenant state poll failed'),
  });
  const hierarchy = new StoreKeyHierarchy({
    repository: new WrappedL2Repository(db),
    cache,
    tenantState: (tenantId) => view.get(tenantId),
    connectorFor: (tenantId, configId) => resolver.forConfig(tenantId, configId),
    // "L1 key used": each L2 unwrap on a cache miss is its own audit event.
    onUnwrap: (use) => recordL1Use(audit, use, log),
  });
  const audit = new AuditJournal({
    dir: auditJournalDir(opts, config.dataDir),
    role: 'kmip',
    backlogLimit: opts.auditBuffer,
    pressureMark: opts.auditPressureMark,
    pressureWaitMs: opts.auditPressureWaitMs,
    onWriteError: (error) => log.error({ err: (error as Error).message }, 'audit journal write failed: refusing operations'),
  });
  const objectCache = new ObjectReadCache<ReadDocument>({ ttlMs: opts.objectCacheMs, maxEntries: opts.objectCacheMax });
  const metrics = new KmipMetrics(() => cache.stats(), () => audit.stats(), () => objectCache.stats());
  const changes = new ObjectChangeNotices(log, opts.workers === 1);

  const revoked = new RevokedSerials(db, opts.revocationPollMs, log, (serials) => listener.closeSerials(serials));

  const services: KmipServices = {
    objects: new ObjectRepository(db, { cache: objectCache, onChange: (tenantId, uid) => changes.announce(tenantId, uid) }),
    keys: hierarchy,
    tenantState: (tenantId) => view.get(tenantId),
    audit,
    metrics,
    log,
    now: () => new Date(),
  };
  const listener = new KmipListener({
    tls: { ...init.tls, ticketKeys: Buffer.from(init.ticketKeys, 'base64'), sessionTimeoutSeconds: opts.sessionTimeoutSeconds },
    connection: {
      dispatch: { handlers: kmipHandlers(), supportedVersions: SUPPORTED_VERSIONS },
      maxMessageBytes: opts.maxMessageBytes,
      isRevoked: (serial) => revoked.has(serial),
      admission: () => audit.admission(),
    },
    services,
    // Connections are spread over the workers, so each enforces its share of the limit.
    maxConnectionsPerIdentity: Math.max(1, Math.ceil(opts.maxConnectionsPerIdentity / opts.workers)),
    log,
    metrics,
  });
  await view.start();
  await revoked.start();
  try {
    await listener.listen(config.kmip.port, config.kmip.host);
  } catch (error) {
    // Tell the primary before exiting: it decides whether a restart can help (it cannot at start-up).
    await sendAndFlush({ type: 'openkcm:cannot-listen', code: (error as NodeJS.ErrnoException).code, error: (error as Error).message });
    throw error;
  }
  const sweeper = setInterval(() => cache.sweep(), 15_000);
  sweeper.unref();

  const invalidate = async (tenantId: string): Promise<void> => {
    services.objects.forgetTenant(tenantId);
    await view.refresh(tenantId);
    hierarchy.invalidate(tenantId);
    await resolver.evictTenant(tenantId);
  };

  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('worker stopping');
    view.stop();
    revoked.stop();
    clearInterval(sweeper);
    await listener.close(5_000);
    const { unwritten } = audit.close();
    if (unwritten > 0) log.error({ unwritten }, 'audit events could not be journaled before exit');
    cache.clear();
    await resolver.closeAll();
    await store.close();
    process.exit(0);
  };

  process.on('message', (m: unknown) => {
    if (!isToWorker(m)) return;
    switch (m.type) {
      case 'openkcm:audit-shipped':
        if (m.chainId === audit.chainId) audit.shipped(m.seq);
        break;
      case 'openkcm:ticket-keys':
        listener.setTicketKeys(Buffer.from(m.ticketKeys, 'base64'));
        break;
      case 'openkcm:invalidate':
        invalidate(m.tenantId).then(
          () => send({ type: 'openkcm:invalidated', id: m.id, ok: true }),
          (error: unknown) => send({ type: 'openkcm:invalidated', id: m.id, ok: false, error: (error as Error).message }),
        );
        break;
      case 'openkcm:forget-object':
        services.objects.forget(m.tenantId, m.uid);
        send({ type: 'openkcm:invalidated', id: m.id, ok: true });
        break;
      case 'openkcm:object-forgotten':
        changes.confirmed(m.id);
        break;
      case 'openkcm:shutdown':
        void shutdown();
        break;
      default:
        break;
    }
  });
  // The primary handles signals; a worker only stops when told, or when the primary is gone.
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
  process.on('disconnect', () => void shutdown());

  log.info({ port: config.kmip.port, host: config.kmip.host }, 'KMIP worker listening');
  send({ type: 'openkcm:ready' });
}
