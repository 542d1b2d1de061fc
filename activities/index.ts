import { createCryptoServiceActivities } from './crypto-service-activities.js';
import type { ActivityDependencies } from './dependencies.js';
import { createKeyActivities } from './key-activities.js';
import { createNotificationActivities } from './notification-activities.js';
import { createTenantActivities } from './tenant-activities.js';
import type { OpenKcmActivities } from './types.js';

export type { ActivityDependencies } from './dependencies.js';
export type { OpenKcmActivities } from './types.js';

/** All activities, bound to their dependencies; the worker registers the result. */
export function createActivities(deps: ActivityDependencies): OpenKcmActivities {
  return {
    ...createTenantActivities(deps),
    ...createKeyActivities(deps),
    ...createCryptoServiceActivities(deps),
    ...createNotificationActivities(deps),
  };
}
