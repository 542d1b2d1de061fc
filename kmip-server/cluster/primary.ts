import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { hostname } from 'node:os';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { AuditShipper } from '../../lib/audit/shipper.js';
import { ensureAuditIndexes } from '../../lib/audit/store.js';
import { loadConfig } from '../../lib/config/env.js';
import { HEARTBEAT_INTERVAL_MS, kmipAdminToken } from '../../lib/kmip-nodes/invalidation.js';
import { KmipNodeRegistry } from '../../lib/kmip-nodes/registry.js';
import { PlatformPki } from '../../lib/pki/platform-pki.js';
import { loadOrCreatePlatformKey } from '../../lib/secrets/platform-key.js';
import { SecretBox } from '../../lib/secrets/secret-box.js';
import { connectStore } from '../../lib/store/mongo.js';
import { auditJournalDir, loadKmipOptions } from '../config.js';
import { createLogger } from '../logger.js';
import { ObjectRepository } from '../objects/repository.js';
import { createAdminServer } from './admin-server.js';
import type { ToWorker } from './ipc.js';
import { isFromWorker } from './ipc.js';
import { workerGlibcTunables } from './malloc-tunables.js';
import { loadOrIssueServerCertificate } from './server-certificate.js';
import { shipperMetrics } from './shipper-metrics.js';
import { SharedTicketKeys, TicketKeyRotation } from './ticket-keys.js';

const INVALIDATE_TIMEOUT_MS = 3_000;
/** A worker that dies sooner than this after starting counts as crash-looping: wait before the next fork. */
const CRASH_WINDOW_MS = 5_000;

/**
 * The primary process: prepares what workers share (server certificate, session-ticket keys,
 * indexes), forks one worker per core, restarts crashed ones, serves the admin endpoint, and
 * keeps this node's heartbeat in `kmipNodes` so workflows can reach it.
 */
export async function runPrimary(): Promise<void> {
  const config = loadConfig();
  const opts = loadKmipOptions();
  const log = createLogger(config.logLevel, 'kmip-primary');
  const store = await connectStore(config.mongodb.uri, config.mongodb.database);
  const platformKeys = await loadOrCreatePlatformKey(config.platformKeyFile);
  const box = new SecretBox(platformKeys);
  const adminToken = kmipAdminToken(platformKeys.current);
  await new ObjectRepository(store.db).ensureIndexes();
  await ensureAuditIndexes(store.db);
  const pki = await PlatformPki.open(store.db, box);
  const tlsMaterial = await loadOrIssueServerCertificate(
    pki,
    box,
    config.dataDir,
    { dnsNames: opts.serverDnsNames, ipAddresses: opts.serverIpAddresses },
    log,
  );

  // Every worker of every node uses the period's shared ticket key, so a ticket resumes anywhere.
  const ticketKeys = await TicketKeyRotation.start(new SharedTicketKeys(store.db, box, opts.ticketRotationMs), {
    onRotate: (key) => {
      broadcast({ type: 'openkcm:ticket-keys', ticketKeys: key.toString('base64') });
      log.info('rotated TLS session ticket keys');
    },
    onSharedKeyUnavailable: (error) => log.warn({ err: (error as Error).message }, 'could not read the shared TLS ticket key; using one of this node only'),
  });

  const registry = new Registry();
  const restarts = new Counter({ name: 'openkcm_kmip_worker_restarts_total', help: 'Workers restarted after they exited', registers: [registry] });
  const workersGauge = new Gauge({ name: 'openkcm_kmip_workers', help: 'Workers listening', registers: [registry] });
  const aggregator = new AggregatorRegistry();

  cluster.schedulingPolicy = opts.scheduling === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
  const ready = new Set<number>();
  const startedAt = new Map<number, number>();
  let stopping = false;
  let everReady = false;
  let crashes = 0;

  const broadcast = (m: ToWorker): void => {
    for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send(m);
  };

  const fork = (): Worker => {
    const w = cluster.fork({ OPENKCM_KMIP_WORKER: '1', GLIBC_TUNABLES: workerGlibcTunables(process.env.GLIBC_TUNABLES) });
    startedAt.set(w.id, Date.now());
    w.on('message', (m: unknown) => {
      if (!isFromWorker(m)) return;
      if (m.type === 'openkcm:hello') {
        w.send({ type: 'openkcm:init', tls: { key: tlsMaterial.key, cert: tlsMaterial.cert, ca: tlsMaterial.ca }, ticketKeys: ticketKeys.key.toString('base64') } satisfies ToWorker);
      } else if (m.type === 'openkcm:cannot-listen') {
        // Before any worker listened, the port itself is the problem (taken by another process,
        // or not ours to bind): restarting workers would only repeat it, so stop and say why.
        if (everReady) return;
        log.fatal({ kmip: `${config.kmip.host}:${config.kmip.port}`, code: m.code, err: m.error }, portProblem(m.code, config.kmip.port));
        void shutdown('cannot-listen', 1);
      } else if (m.type === 'openkcm:ready') {
        everReady = true;
        ready.add(w.id);
        workersGauge.set(ready.size);
        log.info({ worker: w.id, workerPid: w.process.pid }, 'worker ready');
      }
    });
    return w;
  };

  cluster.on('exit', (w, code, signal) => {
    ready.delete(w.id);
    workersGauge.set(ready.size);
    if (stopping) return;
    const lived = Date.now() - (startedAt.get(w.id) ?? 0);
    startedAt.delete(w.id);
    crashes = lived < CRASH_WINDOW_MS ? crashes + 1 : 0;
    const delay = Math.min(30_000, crashes === 0 ? 0 : 500 * 2 ** Math.min(crashes, 6));
    log.error({ worker: w.id, code, signal, lived, restartInMs: delay }, 'worker exited; restarting');
    restarts.inc();
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });

  let invalidationId = 0;
  const pendingInvalidations = new Map<number, { left: Set<number>; done: () => void; fail: (e: Error) => void }>();
  const readyWorkers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected() && ready.has(w.id));
  cluster.on('message', (w, m: unknown) => {
    if (!isFromWorker(m)) return;
    if (m.type === 'openkcm:object-changed') {
      // A worker changed an object: the others forget it; the change is answered once they have.
      const others = readyWorkers().filter((o) => o.id !== w.id);
      fanOut(others, (id) => ({ type: 'openkcm:forget-object', id, tenantId: m.tenantId, uid: m.uid })).then(
        () => w.isConnected() && w.send({ type: 'openkcm:object-forgotten', id: m.id } satisfies ToWorker),
        (error: unknown) => log.warn({ err: (error as Error).message, tenantId: m.tenantId }, 'workers did not confirm forgetting a changed object; their copies expire on their own'),
      );
      return;
    }
    if (m.type !== 'openkcm:invalidated') return;
    const p = pendingInvalidations.get(m.id);
    if (!p) return;
    if (!m.ok) {
      pendingInvalidations.delete(m.id);
      p.fail(new Error(`worker ${w.id} could not invalidate: ${m.error ?? 'unknown error'}`));
      return;
    }
    p.left.delete(w.id);
    if (p.left.size === 0) {
      pendingInvalidations.delete(m.id);
      p.done();
    }
  });

  /** Sends each worker its message and resolves once every one has answered `openkcm:invalidated`. */
  const fanOut = (workers: Worker[], message: (id: number) => ToWorker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (workers.length === 0) {
        resolve();
        return;
      }
      const id = ++invalidationId;
      const timer = setTimeout(() => {
        pendingInvalidations.delete(id);
        reject(new Error('workers did not confirm the invalidation in time'));
      }, INVALIDATE_TIMEOUT_MS);
      pendingInvalidations.set(id, {
        left: new Set(workers.map((w) => w.id)),
        done: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      for (const w of workers) w.send(message(id));
    });

  const invalidate = async (tenantId: string): Promise<void> => {
    const workers = readyWorkers();
    if (workers.length === 0) throw new Error('no worker is ready');
    await fanOut(workers, (id) => ({ type: 'openkcm:invalidate', id, tenantId }));
  };

  const admin = createAdminServer({
    token: adminToken,
    log,
    ready: () => ready.size >= opts.workers,
    status: () => ({ workers: ready.size, expectedWorkers: opts.workers, kmipPort: config.kmip.port }),
    metrics: async () => {
      const workers = await aggregator.clusterMetrics();
      return { contentType: aggregator.contentType, body: `${workers}\n${await registry.metrics()}` };
    },
    invalidate,
  });
  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(config.kmip.adminPort, opts.adminHost ?? config.kmip.host, () => resolve());
  });

  for (let i = 0; i < opts.workers; i++) fork();

  // Workers journal audit events on local disk; this copies them into the store, off the request path.
  const shipper = new AuditShipper({
    db: store.db,
    dir: auditJournalDir(opts, config.dataDir),
    batchSize: opts.auditBatch,
    maxPerSecond: opts.auditShipRate,
    onShipped: (chainId, seq) => broadcast({ type: 'openkcm:audit-shipped', chainId, seq }),
    onError: (error, attempt) => {
      if (attempt === 1 || attempt % 20 === 0) log.warn({ err: (error as Error).message, attempt }, 'audit shipping failed; retrying');
    },
  });
  shipper.start();
  shipperMetrics(registry, () => shipper.stats());

  const nodes = new KmipNodeRegistry(store.db);
  const adminHost = opts.adminHost ?? config.kmip.host;
  const advertise = opts.advertiseHost ?? (adminHost === '0.0.0.0' || adminHost === '::' ? hostname() : adminHost);
  const node = {
    _id: `${hostname()}:${config.kmip.adminPort}`,
    adminUrl: `http://${advertise.includes(':') ? `[${advertise}]` : advertise}:${config.kmip.adminPort}`,
    hostname: hostname(),
    pid: process.pid,
    startedAt: new Date(),
  };
  const beat = (): void => {
    nodes.heartbeat(node).catch((error: unknown) => log.warn({ err: (error as Error).message }, 'heartbeat failed'));
  };
  beat();
  const heartbeat = setInterval(beat, HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();
  log.info({ kmip: `${config.kmip.host}:${config.kmip.port}`, admin: node.adminUrl, workers: opts.workers }, 'KMIP server starting');

  const shutdown = async (signal: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'KMIP server stopping');
    clearInterval(heartbeat);
    ticketKeys.stop();
    broadcast({ type: 'openkcm:shutdown' });
    const exited = Promise.all(
      Object.values(cluster.workers ?? {}).map((w) => (w ? new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))) : undefined)),
    );
    const hardStop = setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    }, 15_000);
    await exited;
    clearTimeout(hardStop);
    await shipper.stop(5_000);
    admin.close();
    await nodes.remove(node._id).catch(() => undefined);
    await store.close();
    box.destroy();
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** The fatal line for a KMIP port the workers cannot listen on. */
function portProblem(code: string | undefined, port: number): string {
  if (code === 'EADDRINUSE') return `KMIP port ${port} is already in use by another process; stop it or set OPENKCM_KMIP_PORT to a free port`;
  if (code === 'EACCES') return `not permitted to listen on KMIP port ${port}; use a port above 1023 or grant the process CAP_NET_BIND_SERVICE`;
  return `cannot listen on KMIP port ${port}`;
}
