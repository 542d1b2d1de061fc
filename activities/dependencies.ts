import type { Db } from 'mongodb';
import type { Platform } from '../lib/runtime/platform.js';

/**
 * Everything the activities touch, built once by the worker and injected (activities are
 * factories): the platform's repositories and services as `openPlatform` opens them, and the
 * worker's own settings.
 */
export interface ActivityDependencies
  extends Pick<
    Platform,
    'tenants' | 'l1Configs' | 'wrappedKeys' | 'users' | 'services' | 'notifications' | 'kmipNodes' | 'box' | 'pki' | 'audit' | 'connectors' | 'buildConnector'
  > {
  db: Db;
  kmipAdminToken: string;
  /** Where notifications go besides the console (Platform Mesh), if configured. */
  notifyWebhook?: { url: string; secret: Buffer };
  consoleUrl: string;
}
