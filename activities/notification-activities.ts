import { deliverWebhook, notificationPayload } from '../lib/notifications/webhook-delivery.js';
import type { ActivityDependencies } from './dependencies.js';
import { permanentFailure } from './failures.js';
import { DEFAULT_ADMIN_USERNAME } from './tenant-activities.js';
import type { NotificationActivities } from './types.js';

export function createNotificationActivities(deps: ActivityDependencies): NotificationActivities {
  return {
    async recordNotification(input) {
      const record = await deps.notifications.insertIfAbsent(input);
      return { notificationId: record._id };
    },

    async deliverNotification({ notificationId }) {
      const notification = await deps.notifications.get(notificationId);
      if (!notification) throw permanentFailure(`notification ${notificationId} does not exist`);
      if (notification.delivery.state === 'delivered') return { delivered: true };
      const target = deps.notifyWebhook;
      if (!target) {
        await deps.notifications.recordDelivery(notificationId, { state: 'not-configured', attempts: 0 });
        return { delivered: false };
      }
      // The first administrator's password travels with "console available", then is forgotten.
      const withCredentials = notification.kind === 'console-available';
      const password = withCredentials ? await deps.users.peekInitialPassword(notification.tenantId, DEFAULT_ADMIN_USERNAME) : undefined;
      const extra = {
        consoleUrl: deps.consoleUrl,
        ...(password ? { initialCredentials: { username: DEFAULT_ADMIN_USERNAME, password } } : {}),
      };
      const attempts = notification.delivery.attempts + 1;
      try {
        await deliverWebhook(target, notificationPayload(notification, extra));
      } catch (error) {
        await deps.notifications.recordDelivery(notificationId, { state: 'pending', attempts, lastError: (error as Error).message });
        throw error;
      }
      if (password) await deps.users.clearInitialPassword(notification.tenantId, DEFAULT_ADMIN_USERNAME);
      await deps.notifications.recordDelivery(notificationId, { state: 'delivered', attempts, deliveredAt: new Date() });
      return { delivered: true };
    },

    async recordAudit(input) {
      deps.audit.record(input);
      // An activity's audit event is durable before the workflow moves on.
      await deps.audit.flush();
    },
  };
}
