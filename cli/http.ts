import { SIGNATURE_HEADER, signWebhook } from '../lib/webhooks/signature.js';
import { CliError } from './errors.js';

/** The API's answer: status and parsed JSON (undefined for an empty body). */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export class ApiCallError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function describeError(status: number, body: unknown): ApiCallError {
  const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
  const fields = error?.details?.fields as Record<string, string> | undefined;
  const fieldText = fields ? `: ${Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('; ')}` : '';
  return new ApiCallError(status, error?.code, `${error?.message ?? `HTTP ${status}`}${fieldText}`, error?.details);
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sign the exact body bytes like Platform Mesh does. */
  signWith?: Buffer;
  /** Statuses returned instead of thrown. */
  accept?: number[];
}

export async function call<T = unknown>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const raw = options.body === undefined ? '' : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.signWith) headers[SIGNATURE_HEADER] = signWebhook(options.signWith, raw);
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, { method, headers, ...(options.body !== undefined ? { body: raw } : {}) });
  } catch (error) {
    throw new CliError(`cannot reach the OpenKCM API at ${baseUrl}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok && !(options.accept ?? []).includes(response.status)) throw describeError(response.status, body);
  return { status: response.status, body: body as T };
}
