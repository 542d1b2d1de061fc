import { AuditWriter, ensureAuditIndexes, type AuditWriterHooks } from '../audit/index.js';
import type { Config } from '../config/env.js';
import { UserRepository } from '../identity/users.js';
import { L1ConnectorResolver } from '../keys/connectors.js';
import { WrappedL2Repository } from '../keys/repository.js';
import { createConnector, type L1Connector } from '../keystores/index.js';
import { KmipNodeRegistry } from '../kmip-nodes/registry.js';
import { NotificationRepository } from '../notifications/repository.js';
import { PlatformPki } from '../pki/index.js';
import { SecretBox, loadOrCreatePlatformKey } from '../secrets/index.js';
import { ServiceRepository } from '../services/repository.js';
import { connectStore, type Store } from '../store/mongo.js';
import { L1ConfigRepository } from '../tenants/l1-configs.js';
import { TenantRepository } from '../tenants/repository.js';

/**
 * What every OpenKCM process opens at start: the store, the platform key (and the SecretBox
 * sealing with it), the repositories, one audit writer, the PKI and the L1 connectors.
 */
export interface Platform {
  config: Config;
  store: Store;
  platformKey: Buffer;
  box: SecretBox;
  tenants: TenantRepository;
  l1Configs: L1ConfigRepository;
  wrappedKeys: WrappedL2Repository;
  users: UserRepository;
  services: ServiceRepository;
  notifications: NotificationRepository;
  kmipNodes: KmipNodeRegistry;
  audit: AuditWriter;
  connectors: L1ConnectorResolver;
  /** Builds a connector for a stored configuration without caching it (connection tests). */
  buildConnector(tenantId: string, configId: string): Promise<L1Connector>;
  /** Opened on first use: creates the platform CAs the first time any process needs them. */
  pki(): Promise<PlatformPki>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Where the audit writer reports flush failures and refusals (the process logger). */
  auditHooks?: AuditWriterHooks;
}

export async function openPlatform(config: Config, role: string, options: PlatformOptions = {}): Promise<Platform> {
  const store = await connectStore(config.mongodb.uri, config.mongodb.database);
  const keys = await loadOrCreatePlatformKey(config.platformKeyFile);
  const box = new SecretBox(keys);
  const { db } = store;
  const tenants = new TenantRepository(db);
  const l1Configs = new L1ConfigRepository(db);
  const wrappedKeys = new WrappedL2Repository(db);
  const users = new UserRepository(db, box);
  const services = new ServiceRepository(db);
  const notifications = new NotificationRepository(db);
  const kmipNodes = new KmipNodeRegistry(db);
  await Promise.all([
    tenants.ensureIndexes(),
    l1Configs.ensureIndexes(),
    wrappedKeys.ensureIndexes(),
    users.ensureIndexes(),
    services.ensureIndexes(),
    notifications.ensureIndexes(),
    ensureAuditIndexes(db),
  ]);
  const audit = new AuditWriter({ db, role, ...(options.auditHooks ? { hooks: options.auditHooks } : {}) });
  const connectorDependencies = {
    loadConfig: (tenantId: string, configId: string) => l1Configs.get(tenantId, configId),
    openSecrets: (sealed: string, aad: string) => box.open(sealed, aad),
    build: (settings: unknown, secrets: unknown) => createConnector(settings, secrets),
  };
  const connectors = new L1ConnectorResolver(connectorDependencies);
  let pki: Promise<PlatformPki> | undefined;

  return {
    config,
    store,
    platformKey: keys.current,
    box,
    tenants,
    l1Configs,
    wrappedKeys,
    users,
    services,
    notifications,
    kmipNodes,
    audit,
    connectors,
    buildConnector: (tenantId, configId) => new L1ConnectorResolver(connectorDependencies).forConfig(tenantId, configId),
    pki() {
      pki ??= PlatformPki.open(db, box).catch((error: unknown) => {
        pki = undefined;
        throw error;
      });
      return pki;
    },
    async close() {
      await audit.close();
      await connectors.closeAll();
      box.destroy();
      await store.close();
    },
  };
}
