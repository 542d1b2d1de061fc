import type { NotificationRecord } from '../../lib/notifications/repository.js';
import type { ApiDeps } from '../deps.js';
import { errors } from '../errors.js';
import { route, type AnyRoute } from '../http/route.js';
import { markAllReadResponse, notificationList, notificationParams, notificationQuery } from './schema.js';

function notificationOf(record: NotificationRecord) {
  return {
    id: record._id,
    kind: record.kind,
    title: record.title,
    message: record.message,
    createdAt: record.createdAt.toISOString(),
    ...(record.readAt ? { readAt: record.readAt.toISOString() } : {}),
  };
}

export function notificationRoutes(deps: ApiDeps): AnyRoute[] {
  const { notifications } = deps.repos;
  return [
    route({
      method: 'get',
      path: '/api/notifications',
      operationId: 'listNotifications',
      summary: 'The tenant’s notifications, newest first',
      tag: 'notifications',
      access: 'user',
      query: notificationQuery,
      response: notificationList,
      async handler(_ctx, { query, principal }) {
        return { items: (await notifications.list(principal.tenantId, query.limit)).map(notificationOf) };
      },
    }),
    route({
      method: 'post',
      path: '/api/notifications/read-all',
      operationId: 'markAllNotificationsRead',
      summary: 'Mark every unread notification of the tenant read',
      tag: 'notifications',
      access: 'user',
      response: markAllReadResponse,
      async handler(_ctx, { principal }) {
        return { marked: await notifications.markAllRead(principal.tenantId, deps.now()) };
      },
    }),
    route({
      method: 'post',
      path: '/api/notifications/:id/read',
      operationId: 'markNotificationRead',
      // Read state is the reader's bookkeeping, not a change to the tenant: auditors may set it too.
      summary: 'Mark a notification read',
      tag: 'notifications',
      access: 'user',
      params: notificationParams,
      status: 204,
      async handler(_ctx, { params, principal }) {
        if (!(await notifications.markRead(principal.tenantId, params.id, deps.now()))) throw errors.notFound('notification');
        return undefined;
      },
    }),
  ];
}
