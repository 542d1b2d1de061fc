import type { Context, Next } from 'koa';
import { MongoServerSelectionError, MongoNetworkError } from 'mongodb';
import type { Logger } from 'pino';
import { ZodError, type z } from 'zod';
import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { KeystoreError } from '../lib/keystores/types.js';

/**
 * The one place errors become HTTP answers: `{"error": {"code", "message", "details"}}`.
 * Messages are written for the caller and never carry stack traces, request bodies or secrets;
 * anything unexpected is logged server-side and answered with a bare 500.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'test_required'
  | 'l1_test_failed'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'keystore_error'
  | 'workflow_failed'
  | 'unavailable'
  | 'internal';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const errors = {
  invalid: (fields: Record<string, string>, message = 'the request is invalid') =>
    new ApiError(400, 'invalid_request', message, { fields }),
  unauthenticated: (message = 'authentication required') =>
    new ApiError(401, 'unauthenticated', message, undefined, { 'www-authenticate': 'Bearer' }),
  forbidden: (message = 'your role does not allow this') => new ApiError(403, 'forbidden', message),
  /** Also for another tenant's resources: a 404 never reveals that something exists. */
  notFound: (what = 'resource') => new ApiError(404, 'not_found', `${what} not found`),
  conflict: (message: string, code: ErrorCode = 'conflict') => new ApiError(409, code, message),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError(429, 'rate_limited', 'too many attempts; try again later', { retryAfterSeconds }, {
      'retry-after': String(retryAfterSeconds),
    }),
  unavailable: (message = 'a backing service is unavailable; try again shortly') => new ApiError(503, 'unavailable', message),
};

/** zod issues → `{ "settings.keyArn": "must be a KMS key ARN" }`; values are never echoed. */
export function fieldsFromZod(error: z.core.$ZodError, prefix: readonly PropertyKey[] = []): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path].map(String).join('.') || '(root)';
    fields[path] ??= issue.message;
  }
  return fields;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Errors of lib/pki and lib/audit, matched by name so the mapper stays free of their imports. */
const NAMED_ERRORS: Record<string, (error: Error) => ApiError> = {
  AuditUnavailableError: () => errors.unavailable('the audit log is unavailable; try again shortly'),
  AuditQueryError: (e) => errors.invalid({ query: e.message }),
  // Loud rather than a partial answer: part of the trail cannot be read, and verification says which.
  AuditBlockCorruptError: () => new ApiError(500, 'internal', 'part of the stored audit trail cannot be read; run audit verification'),
  CsrError: (e) => errors.invalid({ csrPem: e.message }, 'the certificate signing request was refused'),
  InvalidIdentityError: (e) => errors.invalid({ serviceId: e.message }),
  CertificateNotFoundError: () => errors.notFound('certificate'),
  CertificateStateError: (e) => errors.conflict(e.message),
};

/**
 * A workflow the API awaited failed. A keystore failure says what the keystore said (its
 * messages are redacted at the source); a non-retryable state failure is a conflict; anything
 * else is a bare 502 that points at the audit log.
 */
function workflowFailure(error: WorkflowFailedError): ApiError {
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    if (!(cause instanceof ApplicationFailure)) continue;
    if (cause.type === 'KeystoreError') {
      const detail = (cause.details?.[0] ?? {}) as { code?: string; step?: string | null };
      return new ApiError(502, 'keystore_error', cause.message, {
        ...(detail.code ? { keystoreCode: detail.code } : {}),
        ...(detail.step ? { step: detail.step } : {}),
      });
    }
    if (cause.nonRetryable) return errors.conflict(cause.message);
  }
  return new ApiError(502, 'workflow_failed', 'the workflow failed; see the audit log');
}

export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) return errors.invalid(fieldsFromZod(error));
  if (error instanceof KeystoreError) {
    return error.code === 'invalid-config'
      ? errors.invalid({ settings: error.message }, 'the keystore configuration is invalid')
      : new ApiError(502, 'keystore_error', error.message, { keystoreCode: error.code, ...(error.step ? { step: error.step } : {}) });
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) return errors.conflict('that operation is already running');
  if (error instanceof WorkflowNotFoundError) return errors.notFound('workflow');
  if (error instanceof WorkflowFailedError) return workflowFailure(error);
  if (error instanceof ServiceError || error instanceof MongoServerSelectionError || error instanceof MongoNetworkError) {
    return errors.unavailable();
  }
  if (error instanceof Error && NAMED_ERRORS[error.name]) return NAMED_ERRORS[error.name]!(error);
  const status = (error as { status?: unknown } | null)?.status;
  const expose = (error as { expose?: unknown } | null)?.expose;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    return new ApiError(status, STATUS_CODES[status] ?? 'invalid_request', (error as Error).message);
  }
  return undefined;
}

function send(ctx: Context, error: ApiError): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers ?? {})) ctx.set(name, value);
  ctx.body = { error: { code: error.code, message: error.message, details: error.details ?? {} } };
}

/**
 * Outermost middleware. Known errors map to their status; unknown ones are logged (with the
 * stack, server-side only) and answered 500. Unmatched `/api`, `/platform` and `/webhooks`
 * paths get the JSON 404 rather than the console's page.
 */
export function errorMapper(logger: Logger) {
  return async function mapErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) send(ctx, errors.notFound('route'));
        else if (ctx.status === 405) send(ctx, new ApiError(405, 'method_not_allowed', `${ctx.method} is not allowed here`));
      }
    } catch (error) {
      const mapped = toApiError(error);
      if (mapped) {
        if (mapped.status >= 500) logger.warn({ code: mapped.code, errorName: (error as Error).name, route: ctx.state.route }, mapped.message);
        send(ctx, mapped);
        return;
      }
      logger.error({ err: error, route: ctx.state.route, method: ctx.method }, 'unhandled error');
      send(ctx, new ApiError(500, 'internal', 'internal error'));
    }
  };
}
