import { classifyNetworkError } from '../shared/network.js';
import { KeystoreError } from '../types.js';
import type { DiagnosticStep } from '../types.js';

interface AzureLikeError {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  errorResponse?: { error?: string; errorDescription?: string };
}

/** AADSTS codes worth naming to an administrator (the rest are summarised by their error kind). */
const AADSTS_HINTS: Record<string, string> = {
  AADSTS7000215: 'the client secret is wrong',
  AADSTS7000222: 'the client secret has expired',
  AADSTS700016: 'the application (client id) is not registered in this tenant',
  AADSTS90002: 'the tenant does not exist',
  AADSTS900023: 'the tenant id is malformed',
};

/** Maps Entra ID (token) and Key Vault (REST) errors. Messages carry status and error codes, never request bodies. */
export function mapAzureError(error: unknown, host: string, step: DiagnosticStep): KeystoreError {
  if (error instanceof KeystoreError) return error;
  const e = (error ?? {}) as AzureLikeError;
  const opts = { cause: error };

  if (e.name === 'CredentialUnavailableError' && /endpoints_resolution_error/.test(e.message ?? '')) {
    // MSAL could not fetch the authority's metadata: the identity provider is unreachable (or its host misconfigured).
    return new KeystoreError('unreachable', 'cannot reach the Entra ID authority (endpoint discovery failed)', 'authenticated', opts);
  }
  if (['AuthenticationError', 'AuthenticationRequiredError', 'CredentialUnavailableError', 'AggregateAuthenticationError'].includes(e.name ?? '')) {
    const network = classifyNetworkError(error, 'the Entra ID authority', 'authenticated');
    if (network) return network;
    const description = e.errorResponse?.errorDescription ?? e.message ?? '';
    const aadsts = /AADSTS\d+/.exec(description)?.[0];
    const hint = aadsts ? (AADSTS_HINTS[aadsts] ?? aadsts) : e.errorResponse?.error;
    const status = e.statusCode && e.statusCode >= 500 ? 'internal' : 'access-denied';
    return new KeystoreError(status, `Entra ID refused the service principal${hint ? `: ${hint}` : ''}`, 'authenticated', opts);
  }

  const network = classifyNetworkError(error, host, step === 'authenticated' ? 'authenticated' : undefined);
  if (network) return network;

  const status = e.statusCode;
  const code = e.code ?? 'unknown';
  if ((status === 403 || status === 404) && /disabled/i.test(e.message ?? '')) {
    // Key Vault answers 403 (Lowkey Vault 404) "Operation get is not allowed on a disabled key".
    return new KeystoreError('disabled', 'the key is disabled in Key Vault: enable it to use it', 'enabled', opts);
  }
  if (status === 401) return new KeystoreError('access-denied', `${host} rejected the access token (401 ${code})`, 'authenticated', opts);
  if (status === 403) {
    return new KeystoreError('access-denied', `access denied (403 ${code}): the service principal lacks a key permission (get, wrapKey, unwrapKey)`, step, opts);
  }
  if (status === 404) return new KeystoreError('not-found', `the key does not exist in ${host} (404 ${code})`, 'key-exists', opts);
  if (status === 429) return new KeystoreError('throttled', `Key Vault throttled the request (429)`, step, opts);
  if (status === 408) return new KeystoreError('timeout', `${host} timed out (408)`, step, opts);
  if (status !== undefined && status >= 500) return new KeystoreError('internal', `Key Vault failed transiently (${status} ${code})`, step, opts);
  if (status === 400 && step === 'round-trip') {
    return new KeystoreError('crypto-failure', `Key Vault refused the wrapped blob (400 ${code}): corrupt, or wrapped by another key`, step, opts);
  }
  if (status === 400 && /disabled|not.*enabled/i.test(e.message ?? '')) {
    return new KeystoreError('disabled', 'the key is disabled in Key Vault', 'enabled', opts);
  }
  return new KeystoreError('invalid-config', `Key Vault refused the request (${status ?? 'no status'} ${code})`, step, opts);
}

/** The SDK's own pre-flight checks on a fetched key throw plain Errors; give them their meaning. */
export function mapLocalKeyCheck(error: unknown): KeystoreError | undefined {
  if (!(error instanceof Error) || error.name !== 'Error') return undefined;
  if (/can't be used before/.test(error.message)) return new KeystoreError('disabled', 'the key is not valid yet (notBefore is in the future)', 'enabled', { cause: error });
  if (/expired at/.test(error.message)) return new KeystoreError('disabled', 'the key has expired', 'enabled', { cause: error });
  if (/is not supported on key/.test(error.message)) return new KeystoreError('wrong-usage', 'the key does not allow wrapKey/unwrapKey', 'usage', { cause: error });
  return undefined;
}
