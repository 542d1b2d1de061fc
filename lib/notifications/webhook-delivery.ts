import { signWebhook, SIGNATURE_HEADER } from '../webhooks/signature.js';
import type { NotificationRecord } from './repository.js';

export interface WebhookTarget {
  url: string;
  secret: Buffer;
  timeoutMs?: number;
}

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

/** The body Platform Mesh (or any receiver) gets; `extra` carries one-time data such as initial credentials. */
export function notificationPayload(notification: NotificationRecord, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: notification._id,
    type: `openkcm.${notification.kind}`,
    tenantId: notification.tenantId,
    title: notification.title,
    message: notification.message,
    createdAt: notification.createdAt.toISOString(),
    ...extra,
  });
}

/** POSTs one signed notification; any non-2xx answer is a failure for the caller to retry. */
export async function deliverWebhook(target: WebhookTarget, body: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(target.secret, body) },
      body,
      signal: AbortSignal.timeout(target.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new DeliveryError(`notification webhook unreachable: ${(error as Error).message}`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new DeliveryError(`notification webhook answered ${response.status}`);
}
