import { KeystoreError } from '../types.js';
import type { DiagnosticStep } from '../types.js';

/** Node/undici error codes that mean "could not talk to the server at all". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** TLS trust failures are configuration problems (wrong CA), not outages: never retry them. */
const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  // Walk the cause chain (and AggregateError members): SDKs wrap socket errors one or two levels deep.
  for (let depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    const e = current as { code?: unknown; name?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof e.code === 'string') codes.push(e.code);
    if (typeof e.name === 'string') codes.push(e.name);
    if (Array.isArray(e.errors)) for (const inner of e.errors) codes.push(...codesOf(inner));
    current = e.cause;
  }
  return codes;
}

/**
 * Classifies a failure below the keystore protocol (DNS, TCP, TLS, timeouts). Returns undefined
 * when the error is something else, so the caller can apply its SDK-specific mapping.
 */
export function classifyNetworkError(error: unknown, endpoint: string, step?: DiagnosticStep): KeystoreError | undefined {
  const codes = codesOf(error);
  const tls = codes.find((c) => TLS_TRUST_CODES.has(c));
  if (tls) {
    return new KeystoreError('invalid-config', `TLS certificate of ${endpoint} is not trusted (${tls}); check the CA setting`, step ?? 'reachable', { cause: error });
  }
  if (codes.some((c) => TIMEOUT_CODES.has(c) || c === 'TimeoutError' || c === 'AbortError' || c === 'RequestTimeout')) {
    return new KeystoreError('timeout', `${endpoint} did not answer in time`, step ?? 'reachable', { cause: error });
  }
  const unreachable = codes.find((c) => UNREACHABLE_CODES.has(c));
  if (unreachable) {
    return new KeystoreError('unreachable', `cannot reach ${endpoint} (${unreachable})`, step ?? 'reachable', { cause: error });
  }
  return undefined;
}
