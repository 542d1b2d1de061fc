import { classifyNetworkError } from '../shared/network.js';
import { KeystoreError } from '../types.js';
import type { DiagnosticStep } from '../types.js';

interface AwsLikeError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const AUTH_FAILURES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
]);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'LimitExceededException', 'RequestLimitExceeded', 'TooManyRequestsException']);
const TRANSIENT = new Set(['KMSInternalException', 'DependencyTimeoutException', 'KeyUnavailableException', 'ServiceUnavailable', 'InternalFailure']);

/** Maps an AWS SDK (KMS or STS) error to the keystore taxonomy. Messages name the AWS error code, never request data. */
export function mapAwsError(error: unknown, endpoint: string, step?: DiagnosticStep): KeystoreError {
  if (error instanceof KeystoreError) return error;
  const network = classifyNetworkError(error, endpoint, step === 'authenticated' ? step : undefined);
  if (network) return network;
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? 'UnknownError';
  const status = e.$metadata?.httpStatusCode;
  const opts = { cause: error };

  if (AUTH_FAILURES.has(name)) {
    return new KeystoreError('access-denied', `AWS rejected the credentials (${name})`, 'authenticated', opts);
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new KeystoreError('access-denied', `access denied (${name}): the principal may not use this key for ${step ?? 'this operation'}`, step ?? 'key-exists', opts);
  }
  if (name === 'NotFoundException') {
    return new KeystoreError('not-found', 'the KMS key (or alias) does not exist in this account and region', 'key-exists', opts);
  }
  if (name === 'DisabledException') {
    return new KeystoreError('disabled', 'the KMS key is disabled', 'enabled', opts);
  }
  if (name === 'KMSInvalidStateException') {
    const pending = /pending ?deletion|PendingDeletion/i.test(e.message ?? '');
    return pending
      ? new KeystoreError('pending-deletion', 'the KMS key is pending deletion', 'enabled', opts)
      : new KeystoreError('disabled', 'the KMS key is not in a usable state (KMSInvalidStateException)', 'enabled', opts);
  }
  if (name === 'InvalidKeyUsageException') {
    return new KeystoreError('wrong-usage', 'the KMS key does not allow Encrypt/Decrypt', 'usage', opts);
  }
  if (name === 'InvalidCiphertextException') {
    return new KeystoreError('crypto-failure', 'KMS refused the ciphertext: it is corrupt or bound to another tenant, purpose or L2 version', step ?? 'round-trip', opts);
  }
  if (name === 'IncorrectKeyException') {
    return new KeystoreError('crypto-failure', 'the blob was wrapped under a different KMS key', step ?? 'round-trip', opts);
  }
  if (THROTTLED.has(name) || status === 429) {
    return new KeystoreError('throttled', `AWS throttled the request (${name})`, step, opts);
  }
  if (TRANSIENT.has(name) || (status !== undefined && status >= 500)) {
    return new KeystoreError('internal', `AWS failed transiently (${name})`, step, opts);
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout') {
    return new KeystoreError('timeout', `${endpoint} did not answer in time`, step ?? 'reachable', opts);
  }
  return new KeystoreError('invalid-config', `AWS refused the request (${name}${status ? `, HTTP ${status}` : ''})`, step, opts);
}
