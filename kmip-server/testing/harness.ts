import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { buildKmipServer } from '../build.js';
import { createL2Version } from '../../lib/keys/lifecycle.js';
import { kmipAdminToken } from '../../lib/kmip-nodes/invalidation.js';
import { WrappedL2Repository } from '../../lib/keys/repository.js';
import { createConnector } from '../../lib/keystores/factory.js';
import { PlatformPki } from '../../lib/pki/platform-pki.js';
import { loadOrCreatePlatformKey } from '../../lib/secrets/platform-key.js';
import { SecretBox } from '../../lib/secrets/secret-box.js';
import type { Store } from '../../lib/store/mongo.js';
import { connectStore } from '../../lib/store/mongo.js';
import { L1ConfigRepository, l1SecretsAad } from '../../lib/tenants/l1-configs.js';
import { TenantRepository } from '../../lib/tenants/repository.js';
import type { Launched } from '../../tests/support/emulators/process.js';
import { freePort, launch, portOpen, waitUntil } from '../../tests/support/emulators/process.js';
import { ferretDbArgs, ferretDbBinary } from '../../tests/support/emulators/ferretdb.js';
import type { LocalKms } from '../../tests/support/emulators/local-kms.js';
import { startLocalKms } from '../../tests/support/emulators/local-kms.js';

/**
 * A real KMIP server for tests and benchmarks: its own FerretDB, local-kms as every tenant's
 * L1 (AWS KMS connector), a platform key and PKI in a temporary data dir, tenants provisioned
 * directly through the repositories, and the KMIP server started as a child process from its
 * built file (kmip-server/build.ts) — exactly how the dev stack runs it. Nothing here is mocked.
 */
export interface ClientCredentials {
  readonly tenantId: string;
  readonly serviceId: string;
  readonly serial: string;
  /** Leaf + issuing CA, PEM. */
  readonly certPem: string;
  readonly keyPem: string;
  /** What the client trusts for the server: the platform root. */
  readonly caPem: string;
  readonly files: { cert: string; key: string; ca: string; combined: string };
}

export interface TenantFixture {
  readonly tenantId: string;
  readonly keyArn: string;
  readonly configId: string;
}

export interface KmipServerProcess {
  readonly host: string;
  readonly port: number;
  readonly adminPort: number;
  readonly adminUrl: string;
  readonly logFile: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface KmipHarness {
  readonly dataDir: string;
  readonly mongoUri: string;
  readonly database: string;
  readonly ferretDir: string;
  readonly store: Store;
  readonly box: SecretBox;
  readonly pki: PlatformPki;
  readonly kms: LocalKms;
  readonly kmsAdmin: KMSClient;
  /** The store process: kill it to simulate an outage, restart it on the same address and data. */
  readonly ferret: { kill(): Promise<void>; restart(): Promise<void> };
  server: KmipServerProcess;
  provisionTenant(tenantId: string): Promise<TenantFixture>;
  issueClient(tenantId: string, serviceId?: string, validityDays?: number): Promise<ClientCredentials>;
  startServer(extraEnv?: Record<string, string>): Promise<KmipServerProcess>;
  /** POST /internal/tenants/:id/invalidate with the platform's admin token (what workflows do). */
  invalidate(tenantId: string): Promise<void>;
  readonly adminToken: string;
  disableL1(t: TenantFixture): Promise<void>;
  enableL1(t: TenantFixture): Promise<void>;
  stop(): Promise<void>;
}

const ACCESS_KEY_ID = 'AKIAOPENKCMKMIPTEST1';
const SECRET_ACCESS_KEY = 'openkcm-kmip-test-secret-access-key-0123';
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface HarnessOptions {
  readonly workers?: number;
  readonly env?: Record<string, string>;
  /** Start the KMIP server right away (default true). */
  readonly startServer?: boolean;
  /** Extra Node options for the server (e.g. `--cpu-prof`; cluster workers inherit them). */
  readonly nodeArgs?: readonly string[];
  /** A disk that fills up: writes past this many bytes of any file fail with EFBIG (`prlimit --fsize`). */
  readonly fileSizeLimitBytes?: number;
  /** Run `kmip-server/main.ts` through tsx instead of the built file (profiles attributed per source file). */
  readonly fromSource?: boolean;
}

export async function startKmipHarness(options: HarnessOptions = {}): Promise<KmipHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'openkcm-kmip-'));
  const ferretDir = path.join(dataDir, 'ferretdb');
  mkdirSync(ferretDir);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const ferretPort = await freePort();
    const ferretLog = path.join(dataDir, 'ferretdb.log');
    const startFerret = async (): Promise<Launched> => {
      const l = launch(ferretDbBinary(), ferretDbArgs(ferretPort, ferretDir), { logFile: ferretLog });
      await waitUntil('FerretDB', l, () => portOpen(ferretPort), 20_000, ferretLog);
      return l;
    };
    let ferret: Launched = await startFerret();
    cleanups.push(() => ferret.stop());
    const mongoUri = `mongodb://127.0.0.1:${ferretPort}/`;
    const database = 'openkcm';
    const kms = await startLocalKms();
    cleanups.push(() => kms.stop());
    const kmsAdmin = new KMSClient({ region: kms.region, endpoint: kms.endpoint, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY } });
    cleanups.push(() => kmsAdmin.destroy());
    const store = await connectStore(mongoUri, database);
    cleanups.push(() => store.close());
    const platformKeyFile = path.join(dataDir, 'platform.key');
    const platformKeys = await loadOrCreatePlatformKey(platformKeyFile);
    const box = new SecretBox(platformKeys);
    const adminToken = kmipAdminToken(platformKeys.current);
    const pki = await PlatformPki.open(store.db, box);
    const tenants = new TenantRepository(store.db);
    const l1Configs = new L1ConfigRepository(store.db);
    const wrapped = new WrappedL2Repository(store.db);
    await tenants.ensureIndexes();
    await wrapped.ensureIndexes();
    const clientDir = path.join(dataDir, 'clients');
    mkdirSync(clientDir, { mode: 0o700 });

    const startServer = async (extraEnv: Record<string, string> = {}): Promise<KmipServerProcess> => {
      const port = await freePort();
      const adminPort = await freePort();
      const logFile = path.join(dataDir, `kmip-server-${port}.log`);
      const entry = options.fromSource ? ['--import', 'tsx', path.join(REPO_ROOT, 'kmip-server/main.ts')] : [await buildKmipServer()];
      const node = [process.execPath, ...(options.nodeArgs ?? []), '--enable-source-maps', ...entry];
      const command = options.fileSizeLimitBytes ? ['prlimit', `--fsize=${options.fileSizeLimitBytes}`, '--', ...node] : node;
      const launched = launch(command[0]!, command.slice(1), {
        cwd: REPO_ROOT,
        logFile,
        env: {
          OPENKCM_DATA_DIR: dataDir,
          OPENKCM_MONGODB_URI: mongoUri,
          OPENKCM_MONGODB_DATABASE: database,
          OPENKCM_KMIP_HOST: '127.0.0.1',
          OPENKCM_KMIP_PORT: String(port),
          OPENKCM_KMIP_ADMIN_PORT: String(adminPort),
          OPENKCM_PLATFORM_KEY_FILE: platformKeyFile,
          OPENKCM_KMIP_WORKERS: String(options.workers ?? 2),
          OPENKCM_LOG_LEVEL: 'info',
          ...options.env,
          ...extraEnv,
        },
      });
      const adminUrl = `http://127.0.0.1:${adminPort}`;
      try {
        await waitUntil(
          'KMIP server',
          launched,
          async () => (await fetch(`${adminUrl}/healthz`, { signal: AbortSignal.timeout(1_000) })).status === 200,
          60_000,
          logFile,
        );
      } catch (error) {
        await launched.stop();
        const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '';
        throw new Error(`${(error as Error).message}\n${tail}`);
      }
      return { host: '127.0.0.1', port, adminPort, adminUrl, logFile, pid: launched.child.pid, stop: () => launched.stop() };
    };

    const h: KmipHarness = {
      dataDir,
      mongoUri,
      database,
      ferretDir,
      store,
      box,
      pki,
      kms,
      kmsAdmin,
      ferret: {
        kill: async () => {
          ferret.child.kill('SIGKILL');
          await new Promise((r) => (ferret.child.exitCode !== null || ferret.child.signalCode !== null ? r(undefined) : ferret.child.once('exit', r)));
        },
        restart: async () => {
          ferret = await startFerret();
        },
      },
      server: undefined as unknown as KmipServerProcess,
      startServer,
      async provisionTenant(tenantId) {
        const keyArn = (await kmsAdmin.send(new CreateKeyCommand({ Description: `openkcm ${tenantId}` }))).KeyMetadata!.Arn!;
        const configId = randomUUID();
        const settings = { kind: 'aws-kms' as const, keyArn, endpoint: kms.endpoint, credentials: { type: 'static' as const, accessKeyId: ACCESS_KEY_ID } };
        const secrets = { secretAccessKey: SECRET_ACCESS_KEY };
        await tenants.createIfAbsent(tenantId, tenantId);
        await l1Configs.insert({
          _id: configId,
          tenantId,
          kind: 'aws-kms',
          label: 'test key',
          settings,
          sealedSecrets: box.seal(JSON.stringify(secrets), l1SecretsAad(tenantId, configId)),
          createdAt: new Date(),
          createdBy: 'kmip-test-harness',
          state: 'active',
        });
        const connector = createConnector(settings, secrets);
        try {
          await createL2Version({ repository: wrapped, connector, tenantId, version: 1, l1: { configId, keyId: keyArn } });
        } finally {
          await connector.close();
        }
        await tenants.setStatus(tenantId, 'ready');
        await tenants.setL1State(tenantId, { status: 'active', configId, currentL2Version: 1 });
        // As the activation workflow does: every node re-reads the tenant now instead of at its next poll.
        if (h.server) await h.invalidate(tenantId);
        return { tenantId, keyArn, configId };
      },
      async issueClient(tenantId, serviceId = 'mongodb', validityDays) {
        const issued = await pki.issueServiceKeyPair({ tenantId, serviceId, validityDays });
        const base = path.join(clientDir, `${tenantId}-${serviceId}-${issued.serial}`);
        const files = { cert: `${base}.crt`, key: `${base}.key`, ca: `${base}.ca.pem`, combined: `${base}.pem` };
        writeFileSync(files.cert, issued.chainPem);
        writeFileSync(files.key, issued.privateKeyPem, { mode: 0o600 });
        writeFileSync(files.ca, issued.caPem);
        writeFileSync(files.combined, issued.privateKeyPem + issued.chainPem, { mode: 0o600 });
        return { tenantId, serviceId, serial: issued.serial, certPem: issued.chainPem, keyPem: issued.privateKeyPem, caPem: issued.caPem, files };
      },
      async invalidate(tenantId) {
        const r = await fetch(`${h.server.adminUrl}/internal/tenants/${tenantId}/invalidate`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
        if (r.status !== 204) throw new Error(`invalidate answered ${r.status}`);
      },
      adminToken,
      async disableL1(t) {
        await kmsAdmin.send(new DisableKeyCommand({ KeyId: t.keyArn }));
      },
      async enableL1(t) {
        await kmsAdmin.send(new EnableKeyCommand({ KeyId: t.keyArn }));
      },
      async stop() {
        await h.server?.stop();
        for (const c of cleanups.reverse()) await c();
        box.destroy();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    if (options.startServer !== false) h.server = await startServer();
    return h;
  } catch (error) {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
