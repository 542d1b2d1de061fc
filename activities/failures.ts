import { ApplicationFailure } from '@temporalio/common';
import { KeystoreError } from '../lib/keystores/types.js';

/**
 * Turns keystore errors into Temporal failures the retry policy understands: permanent ones
 * (access denied, disabled key, wrong usage) are non-retryable and end the attempt with the
 * keystore's reason; transient ones are retried. Other errors pass through unchanged.
 */
export async function withKeystoreFailures<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KeystoreError) {
      throw ApplicationFailure.create({
        type: 'KeystoreError',
        message: error.message,
        nonRetryable: !error.retryable,
        details: [{ code: error.code, step: error.step ?? null }],
      });
    }
    throw error;
  }
}

/** A failure that retrying cannot fix (missing configuration, unknown tenant). */
export function permanentFailure(message: string, type = 'InvalidState'): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
