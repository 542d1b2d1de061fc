import { ApiError } from '../api';

/** Every store reports failures as ApiError, whatever was thrown. */
export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'unexpected', e instanceof Error ? e.message : String(e));
}
