import { KeystoreError } from '../types.js';
import type { DiagnosticStep, KeystoreErrorCode } from '../types.js';

/** The CKR_* name inside a pkcs11js/graphene error message ("CKR_PIN_INCORRECT:160 …"). */
export function ckrName(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /\bCKR_[A-Z0-9_]+/.exec(message)?.[0];
}

const TABLE: Record<string, [KeystoreErrorCode, DiagnosticStep, string]> = {
  CKR_PIN_INCORRECT: ['access-denied', 'authenticated', 'the token rejected the PIN'],
  CKR_PIN_INVALID: ['access-denied', 'authenticated', 'the PIN has characters the token does not accept'],
  CKR_PIN_LEN_RANGE: ['access-denied', 'authenticated', 'the PIN has the wrong length for this token'],
  CKR_PIN_EXPIRED: ['access-denied', 'authenticated', 'the PIN has expired: set a new one on the HSM'],
  CKR_PIN_LOCKED: ['access-denied', 'authenticated', 'the user PIN is locked after too many failures: the HSM officer must reset it'],
  CKR_USER_PIN_NOT_INITIALIZED: ['access-denied', 'authenticated', 'the token has no user PIN yet'],
  CKR_USER_NOT_LOGGED_IN: ['access-denied', 'authenticated', 'the session is not logged in'],
  CKR_TOKEN_NOT_PRESENT: ['unreachable', 'reachable', 'the token is not present'],
  CKR_TOKEN_NOT_RECOGNIZED: ['unreachable', 'reachable', 'the token is not recognised'],
  CKR_DEVICE_REMOVED: ['unreachable', 'reachable', 'the HSM was removed or disconnected'],
  CKR_DEVICE_ERROR: ['unreachable', 'reachable', 'the HSM reported a device error'],
  CKR_SESSION_CLOSED: ['unreachable', 'reachable', 'the HSM closed the session'],
  CKR_SESSION_HANDLE_INVALID: ['unreachable', 'reachable', 'the HSM session is no longer valid'],
  CKR_SLOT_ID_INVALID: ['unreachable', 'reachable', 'the slot does not exist'],
  CKR_DEVICE_MEMORY: ['internal', 'reachable', 'the HSM is out of memory'],
  CKR_HOST_MEMORY: ['internal', 'reachable', 'the PKCS#11 library is out of memory'],
  CKR_SESSION_COUNT: ['throttled', 'authenticated', 'the HSM has no free sessions'],
  CKR_FUNCTION_FAILED: ['internal', 'round-trip', 'the HSM could not complete the operation'],
  CKR_GENERAL_ERROR: ['internal', 'round-trip', 'the HSM reported a general error'],
  CKR_KEY_HANDLE_INVALID: ['not-found', 'key-exists', 'the L1 key no longer exists on the token'],
  CKR_OBJECT_HANDLE_INVALID: ['not-found', 'key-exists', 'the L1 key no longer exists on the token'],
  CKR_KEY_FUNCTION_NOT_PERMITTED: ['wrong-usage', 'usage', 'the key attributes do not permit this operation'],
  CKR_KEY_TYPE_INCONSISTENT: ['wrong-usage', 'usage', 'the key type does not fit the mechanism'],
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT: ['wrong-usage', 'usage', 'the key type does not fit the wrap mechanism'],
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT: ['wrong-usage', 'usage', 'the key type does not fit the unwrap mechanism'],
  CKR_MECHANISM_INVALID: ['wrong-usage', 'usage', 'the token does not support the mechanism'],
  CKR_MECHANISM_PARAM_INVALID: ['wrong-usage', 'usage', 'the token refused the mechanism parameters'],
  CKR_KEY_NOT_WRAPPABLE: ['wrong-usage', 'usage', 'the token does not allow wrapping this key'],
  CKR_TEMPLATE_INCONSISTENT: ['wrong-usage', 'usage', 'the token policy refuses the unwrap template'],
  CKR_ENCRYPTED_DATA_INVALID: ['crypto-failure', 'round-trip', 'the blob is corrupt or bound to another tenant, purpose or L2 version'],
  CKR_ENCRYPTED_DATA_LEN_RANGE: ['crypto-failure', 'round-trip', 'the blob has the wrong length'],
  CKR_WRAPPED_KEY_INVALID: ['crypto-failure', 'round-trip', 'the wrapped blob is corrupt or from another key'],
  CKR_WRAPPED_KEY_LEN_RANGE: ['crypto-failure', 'round-trip', 'the wrapped blob has the wrong length'],
  CKR_AEAD_DECRYPT_FAILED: ['crypto-failure', 'round-trip', 'the blob is corrupt or bound to another tenant, purpose or L2 version'],
  CKR_DATA_LEN_RANGE: ['invalid-config', 'round-trip', 'the plaintext length is out of range for the mechanism'],
};

/** Maps a PKCS#11 error; the message names the CKR code and what it means, never the PIN or data. */
export function mapPkcs11Error(error: unknown, fallbackStep: DiagnosticStep): KeystoreError {
  if (error instanceof KeystoreError) return error;
  const name = ckrName(error);
  const entry = name ? TABLE[name] : undefined;
  if (name && entry) {
    const [code, step, meaning] = entry;
    return new KeystoreError(code, `${meaning} (${name})`, step, { cause: error });
  }
  return new KeystoreError('internal', `PKCS#11 call failed (${name ?? (error instanceof Error ? error.name : 'unknown error')})`, fallbackStep, { cause: error });
}
