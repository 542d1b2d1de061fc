import { KmipConnectionError, KmipProtocolError, KmipResultError, KmipTimeoutError } from '../../../clients/kmip/index.js';
import { ResultReason } from '../../../kmip-server/codec/enums.js';
import { KeystoreError } from '../types.js';
import type { DiagnosticStep } from '../types.js';

/**
 * Maps KMIP client errors. KmipConnectionError carries only a message (no socket error code), so
 * TLS and socket failures are recognised by the texts Node puts in them.
 */
export function mapKmipError(error: unknown, endpoint: string, step: DiagnosticStep): KeystoreError {
  if (error instanceof KeystoreError) return error;
  const opts = { cause: error };
  if (error instanceof KmipTimeoutError) return new KeystoreError('timeout', `${endpoint} did not answer in time`, step, opts);
  if (error instanceof KmipConnectionError) {
    const m = error.message;
    if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|timed out/.test(m)) {
      return new KeystoreError('unreachable', `cannot reach ${endpoint}`, 'reachable', opts);
    }
    if (/self[- ]signed|unable to (verify|get issuer)|certificate has expired|Hostname\/IP does not match|altnames/i.test(m)) {
      return new KeystoreError('invalid-config', `the certificate of ${endpoint} is not trusted by the configured CA`, 'reachable', opts);
    }
    if (/alert|handshake|ECONNRESET|closed by the server|EPIPE/i.test(m)) {
      // The server ends the handshake when it does not accept OpenKCM's client certificate.
      return new KeystoreError('access-denied', `${endpoint} refused the TLS client certificate`, 'authenticated', opts);
    }
    return new KeystoreError('unreachable', `connection to ${endpoint} failed`, step === 'round-trip' ? step : 'reachable', opts);
  }
  if (error instanceof KmipResultError) {
    const detail = error.message.replace(/^KMIP /, '').slice(0, 200);
    switch (error.resultReason) {
      case ResultReason.ItemNotFound:
        return new KeystoreError('not-found', `the key does not exist on ${endpoint} (${detail})`, 'key-exists', opts);
      case ResultReason.AuthenticationNotSuccessful:
        return new KeystoreError('access-denied', `${endpoint} did not authenticate OpenKCM (${detail})`, 'authenticated', opts);
      case ResultReason.PermissionDenied:
        return new KeystoreError('access-denied', `${endpoint} denied the operation (${detail})`, step === 'authenticated' ? 'key-exists' : step, opts);
      case ResultReason.CryptographicFailure:
        return new KeystoreError('crypto-failure', `the blob is corrupt or bound to another tenant, purpose or L2 version (${detail})`, 'round-trip', opts);
      case ResultReason.OperationNotSupported:
      case ResultReason.FeatureNotSupported:
      case ResultReason.InvalidField:
        return new KeystoreError('wrong-usage', `${endpoint} cannot do AES-GCM Encrypt/Decrypt with this key (${detail})`, 'usage', opts);
      case ResultReason.IllegalOperation:
      case ResultReason.WrongKeyLifecycleState:
        return new KeystoreError('disabled', `the key is not in a usable state (${detail})`, 'enabled', opts);
      default:
        return new KeystoreError('internal', `KMIP operation failed (${detail})`, step, opts);
    }
  }
  if (error instanceof KmipProtocolError) return new KeystoreError('internal', `unexpected answer from ${endpoint}`, step, opts);
  return new KeystoreError('internal', `KMIP call failed (${error instanceof Error ? error.name : 'unknown error'})`, step, opts);
}
