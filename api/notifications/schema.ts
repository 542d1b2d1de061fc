import { z } from 'zod';

export const notificationView = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  message: z.string(),
  createdAt: z.iso.datetime(),
  readAt: z.iso.datetime().optional(),
});

export const notificationList = z.object({ items: z.array(notificationView) });
export const notificationParams = z.object({ id: z.string().min(1).max(100) });
export const notificationQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
/** How many notifications were unread and are read now. */
export const markAllReadResponse = z.object({ marked: z.number().int() });
