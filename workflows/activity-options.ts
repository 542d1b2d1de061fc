import { proxyActivities } from '@temporalio/workflow';
import type { OpenKcmActivities } from '../activities/types.js';

/**
 * Retry policies by kind of work. Store and PKI steps retry until they succeed (the SLA
 * timer escalates meanwhile); keystore steps give up after a few attempts, and permanent
 * keystore errors (access denied, disabled key, wrong usage) are raised by the activities as
 * non-retryable failures, so they end the attempt at once with the reason.
 */
export const platform = proxyActivities<OpenKcmActivities>({
  // Store and PKI steps take milliseconds; a short timeout lets a crashed worker's step be retried soon.
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

export const keystore = proxyActivities<OpenKcmActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 4 },
});

/** Notification delivery keeps trying for a day: the receiver may be down for a while. */
export const delivery = proxyActivities<OpenKcmActivities>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
