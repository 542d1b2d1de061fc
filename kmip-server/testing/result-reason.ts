import { KmipError } from '../protocol/errors.js';

/** The KMIP Result Reason `fn` fails with, or undefined when it succeeds; anything else it throws is rethrown. */
export function resultReasonOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KmipError) return e.reason;
    throw e;
  }
  return undefined;
}
