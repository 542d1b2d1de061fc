import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import pino from 'pino';
import { AuditWriter } from '../../lib/audit/index.js';
import { PlatformPki } from '../../lib/pki/index.js';
import { SecretBox } from '../../lib/secrets/index.js';
import type { Role } from '../../lib/identity/users.js';
import type { TenantStatus } from '../../lib/tenants/model.js';
import { createApp, type ApiApp } from '../app.js';
import { AuditLog } from '../audit/audit-log.js';
import { DEFAULT_LOGIN_LIMITS, type ApiConfig } from '../config.js';
import type { ApiDeps } from '../deps.js';
import { createRepositories, ensureApiIndexes } from '../store.js';

/**
 * The real app over real HTTP for route tests: real repositories on a fresh database of a
 * real FerretDB, a real Temporal client (pointing at a dev server when the test has one), the
 * real PKI and audit writer. The logger writes into `logs`, so tests can assert what is (and
 * is never) logged.
 */
export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke into JSON freely
  json: any;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (for malformed JSON and signed webhooks). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestApi {
  url: string;
  /** The store it runs on (a second API can share it). */
  mongoUri: string;
  app: ApiApp;
  deps: ApiDeps;
  db: Db;
  logs: string[];
  /** The current webhook secret (HMAC key bytes). */
  webhookSecret: Buffer;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  seedTenant(tenantId: string, status?: TenantStatus): Promise<void>;
  /** Creates a user and returns their password. */
  createUser(tenantId: string, username: string, role: Role): Promise<string>;
  login(tenantId: string, username: string, password: string): Promise<string>;
  /** A tenant with an admin and an auditor, logged in. */
  tenantWithUsers(tenantId: string): Promise<{ adminToken: string; auditorToken: string; adminPassword: string }>;
  stop(): Promise<void>;
}

export interface TestApiOptions {
  mongoUri: string;
  temporalAddress?: string;
  config?: Partial<ApiConfig>;
  now?: () => Date;
}

export async function startTestApi(options: TestApiOptions): Promise<TestApi> {
  const mongo = new MongoClient(options.mongoUri);
  await mongo.connect();
  const db = mongo.db(`api_test_${randomBytes(4).toString('hex')}`);
  const box = new SecretBox({ current: randomBytes(32), previous: [] });
  const repos = createRepositories(db, box);
  await ensureApiIndexes(db, repos);
  const pki = await PlatformPki.open(db, box);
  const writer = new AuditWriter({ db, role: 'api', flushIntervalMs: 10 });

  const connection = options.temporalAddress
    ? await Connection.connect({ address: options.temporalAddress })
    : Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 200 });
  const temporal = new Client({ connection });

  const logs: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const webhookSecret = randomBytes(32);
  const config: ApiConfig = {
    publicUrl: 'http://openkcm.test',
    taskQueue: `api-test-${randomBytes(3).toString('hex')}`,
    provisionSlaMs: 300_000,
    activationSlaMs: 120_000,
    healthIntervalMs: 5_000,
    workflowWaitMs: 5_000,
    kmipEndpoint: 'kmip.openkcm.test:5696',
    listenHost: '127.0.0.1',
    listenPort: 0,
    trustProxy: false,
    jwt: { builtinIssuer: 'http://openkcm.test', ttlSeconds: 3_600 },
    webhook: { secrets: [webhookSecret], toleranceSeconds: 300 },
    loginLimits: DEFAULT_LOGIN_LIMITS,
    ...options.config,
  };
  const deps: ApiDeps = {
    config,
    repos,
    temporal,
    sealer: box,
    audit: new AuditLog(db, writer),
    pki,
    now: options.now ?? (() => new Date()),
    logger,
  };
  const app = createApp(deps);
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const request = async (method: string, path: string, opts: RequestOptions = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };

  const api: TestApi = {
    url,
    mongoUri: options.mongoUri,
    app,
    deps,
    db,
    logs,
    webhookSecret,
    request,
    async seedTenant(tenantId, status = 'ready') {
      await repos.tenants.createIfAbsent(tenantId, `Tenant ${tenantId}`);
      if (status !== 'provisioning') await repos.tenants.setStatus(tenantId, status);
    },
    async createUser(tenantId, username, role) {
      await repos.users.createIfAbsent(tenantId, username, role);
      const password = await repos.users.takeInitialPassword(tenantId, username);
      if (!password) throw new Error('user existed already');
      return password;
    },
    async login(tenantId, username, password) {
      const response = await request('POST', '/api/auth/login', { body: { tenantId, username, password } });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
      return response.json.token as string;
    },
    async tenantWithUsers(tenantId) {
      await api.seedTenant(tenantId);
      const adminPassword = await api.createUser(tenantId, 'admin', 'admin');
      const auditorPassword = await api.createUser(tenantId, 'auditor', 'auditor');
      return {
        adminToken: await api.login(tenantId, 'admin', adminPassword),
        auditorToken: await api.login(tenantId, 'auditor', auditorPassword),
        adminPassword,
      };
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writer.close(2_000);
      await connection.close().catch(() => undefined);
      await db.dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
  return api;
}
