/**
 * The contract every L1 keystore connector fulfils. L1 material never leaves the keystore:
 * a connector can only ask the keystore to wrap and unwrap, and describe the key.
 */

export type KeystoreKind = 'aws-kms' | 'azure-keyvault' | 'pkcs11' | 'kmip';

/** Binds a wrap/unwrap call to its use, so a blob wrapped for one tenant cannot be unwrapped for another. */
export interface WrapContext {
  tenantId: string;
  /** e.g. 'l2' for tenant keys, 'connection-test' for diagnostics round trips. */
  purpose: string;
  l2Version?: number;
}

/** The diagnostic steps, in the order they run. A failed step skips the ones after it. */
export const DIAGNOSTIC_STEPS = [
  'reachable',
  'authenticated',
  'key-exists',
  'enabled',
  'usage',
  'round-trip',
] as const;
export type DiagnosticStep = (typeof DIAGNOSTIC_STEPS)[number];

export interface DiagnosticResult {
  step: DiagnosticStep;
  status: 'passed' | 'failed' | 'skipped';
  /** Human-readable and safe to show: never contains secrets or key material. */
  message: string;
  durationMs: number;
  /** Set on the failed step: what kind of failure it was (see KeystoreErrorCode). */
  code?: KeystoreErrorCode;
}

export interface Diagnostics {
  ok: boolean;
  steps: DiagnosticResult[];
  /** The first failed step, when ok is false. */
  failedStep?: DiagnosticStep;
  /** When ok is false: whether the failure is transient (worth testing again later). */
  retryable?: boolean;
  key?: L1KeyMetadata;
}

export type L1KeyState = 'enabled' | 'disabled' | 'pending-deletion' | 'unknown';

export interface L1KeyMetadata {
  /** Canonical identifier: key ARN, versioned key URL, token/label, KMIP unique identifier. */
  keyId: string;
  /** Keystore-side key version where the keystore has one (Key Vault version, KMS rotation). */
  version?: string;
  state: L1KeyState;
  algorithm: string;
  /** What the keystore lets this key do, as it reports it (e.g. ['ENCRYPT_DECRYPT'], ['wrapKey','unwrapKey']). */
  usage: string[];
}

export interface TestConnectionOptions {
  /**
   * Called once per step as soon as its result is known, in DIAGNOSTIC_STEPS order (skipped
   * steps included), with the same redacted result `testConnection` returns. For showing
   * progress only: what it throws is ignored and never changes the verdict.
   */
  onStep?(result: DiagnosticResult): void;
}

export interface L1Connector {
  readonly kind: KeystoreKind;
  testConnection(options?: TestConnectionOptions): Promise<Diagnostics>;
  /** Returns an opaque blob only this key (and the same context) can unwrap. */
  wrap(plaintext: Buffer, context: WrapContext): Promise<Buffer>;
  /** The caller owns the returned buffer and zeroes it after use. */
  unwrap(wrapped: Buffer, context: WrapContext): Promise<Buffer>;
  describe(): Promise<L1KeyMetadata>;
  close(): Promise<void>;
}

/**
 * Transient errors are worth retrying (network, throttling, timeout); permanent ones are not
 * (access denied, missing key, disabled key, wrong usage, bad configuration). Workflows map
 * `retryable` to Temporal's non-retryable application failures.
 */
export type KeystoreErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'throttled'
  | 'access-denied'
  | 'not-found'
  | 'disabled'
  | 'pending-deletion'
  | 'wrong-usage'
  | 'insecure-key'
  | 'invalid-config'
  | 'crypto-failure'
  | 'internal';

const TRANSIENT: ReadonlySet<KeystoreErrorCode> = new Set(['unreachable', 'timeout', 'throttled', 'internal']);

export class KeystoreError extends Error {
  override readonly name = 'KeystoreError';
  readonly retryable: boolean;
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
    readonly step?: DiagnosticStep,
    options?: { cause?: unknown },
  ) {
    super(message, options && 'cause' in options ? { cause: safeCause(options.cause) } : undefined);
    this.retryable = TRANSIENT.has(code);
  }
}

/**
 * SDK errors carry whole requests: Azure's RestError holds the Authorization header and the
 * wrapKey body (the L2 itself), others echo inputs. A KeystoreError never keeps such an error as
 * its cause, only its name, code and HTTP status, so logging an error with its cause chain (as
 * pino does) cannot leak a token, a secret or key material.
 */
export interface KeystoreErrorCause {
  name: string;
  code?: string;
  statusCode?: number;
}

function safeCause(error: unknown): KeystoreErrorCause | KeystoreError {
  if (error instanceof KeystoreError) return error;
  if (!error || typeof error !== 'object') return { name: typeof error };
  const e = error as { name?: unknown; code?: unknown; statusCode?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : e.$metadata?.httpStatusCode;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: String(e.code) } : {}),
    ...(typeof status === 'number' ? { statusCode: status } : {}),
  };
}
