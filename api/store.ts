import type { Db } from 'mongodb';
import { ensureAuditIndexes } from '../lib/audit/index.js';
import { UserRepository, type Sealer } from '../lib/identity/users.js';
import { NotificationRepository } from '../lib/notifications/repository.js';
import { ServiceRepository } from '../lib/services/repository.js';
import { L1ConfigRepository } from '../lib/tenants/l1-configs.js';
import { TenantRepository } from '../lib/tenants/repository.js';
import { SigningKeyRepository } from './auth/signing-keys.js';
import type { ApiRepositories } from './deps.js';
import { WebhookEventRepository } from './webhooks/events.js';

export function createRepositories(db: Db, sealer: Sealer): ApiRepositories {
  return {
    tenants: new TenantRepository(db),
    l1Configs: new L1ConfigRepository(db),
    users: new UserRepository(db, sealer),
    notifications: new NotificationRepository(db),
    services: new ServiceRepository(db),
    webhookEvents: new WebhookEventRepository(db),
    signingKeys: new SigningKeyRepository(db, sealer),
  };
}

/** Every index the API's reads rely on (each module owns its own; creating them is idempotent). */
export async function ensureApiIndexes(db: Db, repos: ApiRepositories): Promise<void> {
  await repos.tenants.ensureIndexes();
  await repos.l1Configs.ensureIndexes();
  await repos.users.ensureIndexes();
  await repos.notifications.ensureIndexes();
  await repos.services.ensureIndexes();
  await repos.webhookEvents.ensureIndexes();
  await ensureAuditIndexes(db);
}
