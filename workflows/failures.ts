import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The user-facing reason inside an activity failure (the keystore's message, not a stack). */
export function failureReason(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return cause.message;
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** Failures we turn into an Error status rather than retrying the workflow forever. */
export function isActivityFailure(error: unknown): error is ActivityFailure {
  return error instanceof ActivityFailure;
}
