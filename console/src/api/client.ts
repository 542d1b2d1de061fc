import type { ApiErrorBody } from './types';

/**
 * Every failure the console can get from the API, as one typed error. The API's
 * `{error: {code, message, details}}` body becomes `code`, `message` and `details`;
 * a network failure is `network_error` with status 0.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** From the Retry-After header of a 429. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** `details.fields` of a 400 `invalid_request`: `{ "settings.keyArn": "must be …" }`. */
  get fieldErrors(): Record<string, string> {
    const fields = this.details.fields;
    if (!fields || typeof fields !== 'object') return {};
    const out: Record<string, string> = {};
    for (const [path, problem] of Object.entries(fields as Record<string, unknown>)) {
      if (typeof problem === 'string') out[path] = problem;
    }
    return out;
  }
}

export interface ClientHooks {
  /** The bearer token of the signed-in user, if any. */
  getToken: () => string | undefined;
  /** Called when a request that carried a token got 401: the session is over. */
  onUnauthorized: () => void;
}

let hooks: ClientHooks = { getToken: () => undefined, onUnauthorized: () => {} };

export function configureClient(next: ClientHooks): void {
  hooks = next;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/** Appends the set values of `query` to `path`; empty strings count as unset. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function retryAfter(res: Response): number | undefined {
  const header = res.headers.get('Retry-After');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  if (!body || typeof body !== 'object') return false;
  const error = (body as { error?: unknown }).error;
  return !!error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string';
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (isErrorBody(body)) {
    const { code, message, details } = body.error;
    const fromDetails = typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
    return new ApiError(res.status, code, message || res.statusText, details ?? {}, retryAfter(res) ?? fromDetails);
  }
  return new ApiError(res.status, `http_${res.status}`, `The API answered ${res.status} ${res.statusText}`.trim(), {}, retryAfter(res));
}

async function send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const token = hooks.getToken();
  const headers: Record<string, string> = { Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    // Read fetch at call time: the unit tests stub it at this boundary.
    res = await globalThis.fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the OpenKCM API. Check your connection and try again.');
  }
  if (!res.ok) {
    const error = await toApiError(res);
    if (res.status === 401 && token) hooks.onUnauthorized();
    throw error;
  }
  return res;
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface Download {
  blob: Blob;
  filename: string;
}

function filenameFrom(res: Response, fallback: string): string {
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1] ?? fallback;
}

export const http = {
  get: <T>(path: string, query?: Query) => json<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body: unknown = {}) => json<T>('POST', path, body),
  delete: <T = void>(path: string) => json<T>('DELETE', path),
  /** A file the API streams (audit export); fetched with the token, since a link cannot carry it. */
  async download(path: string, query: Query, fallbackName: string): Promise<Download> {
    const res = await send('GET', withQuery(path, query), undefined, '*/*');
    return { blob: await res.blob(), filename: filenameFrom(res, fallbackName) };
  },
};
