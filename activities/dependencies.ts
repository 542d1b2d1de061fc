import type { Db } from 'mongodb';
import type { AuditWriter } from '../lib/audit/index.js';
import type { UserRepository } from '../lib/identity/users.js';
import type { L1ConnectorResolver } from '../lib/keys/connectors.js';
import type { WrappedL2Repository } from '../lib/keys/repository.js';
import type { L1Connector } from '../lib/keystores/types.js';
import type { KmipNodeRegistry } from '../lib/kmip-nodes/registry.js';
import type { NotificationRepository } from '../lib/notifications/repository.js';
import type { PlatformPki } from '../lib/pki/index.js';
import type { SecretBox } from '../lib/secrets/index.js';
import type { ServiceRepository } from '../lib/services/repository.js';
import type { L1ConfigRepository } from '../lib/tenants/l1-configs.js';
import type { TenantRepository } from '../lib/tenants/repository.js';

/** Everything the activities touch, built once by the worker and injected (activities are factories). */
export interface ActivityDependencies {
  db: Db;
  tenants: TenantRepository;
  l1Configs: L1ConfigRepository;
  wrappedKeys: WrappedL2Repository;
  users: UserRepository;
  services: ServiceRepository;
  notifications: NotificationRepository;
  kmipNodes: KmipNodeRegistry;
  box: SecretBox;
  /** Opens the platform PKI, creating the CAs on first use (idempotent and race-safe). */
  pki(): Promise<PlatformPki>;
  audit: AuditWriter;
  connectors: L1ConnectorResolver;
  /** Builds a fresh connector for a configuration, for connection tests. */
  buildConnector(tenantId: string, configId: string): Promise<L1Connector>;
  kmipAdminToken: string;
  /** Where notifications go besides the console (Platform Mesh), if configured. */
  notifyWebhook?: { url: string; secret: Buffer };
  consoleUrl: string;
}
