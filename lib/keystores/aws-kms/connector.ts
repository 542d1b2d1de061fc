import { DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import { credentialsFor } from './credentials.js';
import { mapAwsError } from './errors.js';
import { parseKmsArn } from './config.js';
import type { AwsKmsSecrets, AwsKmsSettings } from './config.js';
import { Probe, runDiagnostics } from '../diagnostics.js';
import { awsEncryptionContext } from '../shared/context.js';
import { probeHttp } from '../shared/http-probe.js';
import { createRedactor } from '../shared/redact.js';
import { roundTripCheck } from '../shared/round-trip.js';
import { KeystoreError } from '../types.js';
import type { Redactor } from '../shared/redact.js';
import type { Diagnostics, L1Connector, L1KeyMetadata, L1KeyState, TestConnectionOptions, WrapContext } from '../types.js';

/**
 * The only KMS operations this connector may issue. Anything else (GetKeyPolicy, CreateGrant, …)
 * is refused before it leaves the process: L1 stays the customer's, and OpenKCM asks for nothing more.
 */
export const ALLOWED_KMS_COMMANDS: ReadonlySet<string> = new Set(['DescribeKeyCommand', 'EncryptCommand', 'DecryptCommand', 'GenerateRandomCommand']);

/** KMS Encrypt accepts at most 4096 bytes of plaintext. */
const MAX_PLAINTEXT = 4096;

export interface AwsKmsConnectorOptions {
  /** Called with each KMS command name as it is sent (metrics, and the test proving the allow-list). */
  observeCommand?: (commandName: string) => void;
}

export class AwsKmsConnector implements L1Connector {
  readonly kind = 'aws-kms' as const;
  private readonly client: KMSClient;
  private readonly endpoint: string;
  private readonly redact: Redactor;
  /** The key ARN behind the configured ARN/alias, pinned on first use so Decrypt never follows a retargeted alias. */
  private resolvedKeyArn?: string;

  constructor(
    private readonly settings: AwsKmsSettings,
    secrets: AwsKmsSecrets,
    options: AwsKmsConnectorOptions = {},
  ) {
    const arn = parseKmsArn(settings.keyArn);
    const dnsSuffix = arn.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    this.endpoint = settings.endpoint ?? `https://kms.${arn.region}.${dnsSuffix}`;
    this.redact = createRedactor([secrets.secretAccessKey, secrets.sessionToken]);
    const tuning = {
      region: arn.region,
      maxAttempts: settings.maxAttempts,
      // Without throwOnRequestTimeout the SDK only warns at requestTimeout, and a KMS endpoint
      // that accepts the connection but never answers would hang the call for good.
      requestHandler: { connectionTimeout: settings.timeoutMs, requestTimeout: settings.timeoutMs, throwOnRequestTimeout: true },
    };
    this.client = new KMSClient({
      ...tuning,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      credentials: credentialsFor(settings, secrets, tuning),
    });
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? 'unknown';
        if (!ALLOWED_KMS_COMMANDS.has(name)) {
          throw new KeystoreError('internal', `refusing to send ${name}: the AWS KMS connector only wraps and unwraps`);
        }
        options.observeCommand?.(name);
        return next(args);
      },
      { step: 'initialize', name: 'openkcmKmsCommandGuard', priority: 'high' },
    );
  }

  async describe(): Promise<L1KeyMetadata> {
    return toMetadata(await this.describeKey());
  }

  async wrap(plaintext: Buffer, context: WrapContext): Promise<Buffer> {
    if (plaintext.length === 0 || plaintext.length > MAX_PLAINTEXT) {
      throw new KeystoreError('invalid-config', `plaintext must be 1..${MAX_PLAINTEXT} bytes`);
    }
    const keyId = await this.keyArn();
    try {
      const out = await this.client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: awsEncryptionContext(context) }));
      if (!out.CiphertextBlob) throw new KeystoreError('internal', 'KMS Encrypt returned no ciphertext');
      return Buffer.from(out.CiphertextBlob);
    } catch (error) {
      throw this.mapped(error, 'round-trip');
    }
  }

  async unwrap(wrapped: Buffer, context: WrapContext): Promise<Buffer> {
    if (wrapped.length === 0) throw new KeystoreError('crypto-failure', 'empty wrapped blob');
    const keyId = await this.keyArn();
    try {
      const out = await this.client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionContext: awsEncryptionContext(context) }));
      if (!out.Plaintext) throw new KeystoreError('internal', 'KMS Decrypt returned no plaintext');
      // Decrypt refuses ciphertext of another key when KeyId is given; the check documents the pin.
      if (out.KeyId && out.KeyId !== keyId) {
        out.Plaintext.fill(0);
        throw new KeystoreError('crypto-failure', 'KMS decrypted with an unexpected key');
      }
      // No copy: the SDK's array is ours alone, and the caller zeroes the returned view.
      return Buffer.from(out.Plaintext.buffer, out.Plaintext.byteOffset, out.Plaintext.byteLength);
    } catch (error) {
      throw this.mapped(error, 'round-trip');
    }
  }

  async testConnection(options: TestConnectionOptions = {}): Promise<Diagnostics> {
    const describeProbe = new Probe(() => this.describeKey());
    let key: L1KeyMetadata | undefined;
    const diagnostics = await runDiagnostics(
      {
        reachable: async () => {
          const status = await probeHttp(this.endpoint, { timeoutMs: this.settings.timeoutMs });
          return `${new URL(this.endpoint).host} answered (HTTP ${status})`;
        },
        authenticated: async () => {
          await describeProbe.passes('authenticated');
          return this.settings.credentials.type === 'assume-role'
            ? `assumed ${this.settings.credentials.roleArn} and KMS accepted the session`
            : 'KMS accepted the access key';
        },
        'key-exists': async () => {
          await describeProbe.passes('key-exists');
          const meta = await describeProbe.value();
          key = toMetadata(meta);
          return meta.Arn === this.settings.keyArn ? `found ${meta.Arn}` : `${this.settings.keyArn} resolves to ${meta.Arn}`;
        },
        enabled: async () => {
          const meta = await describeProbe.value();
          assertEnabled(meta);
          return 'key state is Enabled';
        },
        usage: async () => {
          const meta = await describeProbe.value();
          assertUsage(meta);
          return 'ENCRYPT_DECRYPT with SYMMETRIC_DEFAULT';
        },
        'round-trip': () => roundTripCheck(this),
      },
      this.redact,
      options.onStep,
    );
    return key ? { ...diagnostics, key } : diagnostics;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async keyArn(): Promise<string> {
    if (this.resolvedKeyArn) return this.resolvedKeyArn;
    const meta = await this.describeKey();
    return meta.Arn!;
  }

  private async describeKey(): Promise<KeyMetadata> {
    try {
      const out = await this.client.send(new DescribeKeyCommand({ KeyId: this.settings.keyArn }));
      const meta = out.KeyMetadata;
      if (!meta?.Arn) throw new KeystoreError('not-found', 'DescribeKey returned no key metadata', 'key-exists');
      this.resolvedKeyArn = meta.Arn;
      return meta;
    } catch (error) {
      throw this.mapped(error, 'key-exists');
    }
  }

  private mapped(error: unknown, step: 'key-exists' | 'round-trip'): KeystoreError {
    const mapped = mapAwsError(error, new URL(this.endpoint).host, step);
    const message = this.redact(mapped.message);
    return message === mapped.message ? mapped : new KeystoreError(mapped.code, message, mapped.step, { cause: mapped.cause });
  }
}

function stateOf(meta: KeyMetadata): L1KeyState {
  switch (meta.KeyState) {
    case 'Enabled':
      return 'enabled';
    case 'Disabled':
      return 'disabled';
    case 'PendingDeletion':
    case 'PendingReplicaDeletion':
      return 'pending-deletion';
    default:
      return 'unknown';
  }
}

function toMetadata(meta: KeyMetadata): L1KeyMetadata {
  return {
    keyId: meta.Arn ?? meta.KeyId ?? '',
    state: stateOf(meta),
    algorithm: meta.KeySpec ?? meta.CustomerMasterKeySpec ?? 'unknown',
    usage: meta.KeyUsage ? [meta.KeyUsage] : [],
  };
}

function assertEnabled(meta: KeyMetadata): void {
  switch (meta.KeyState) {
    case 'Enabled':
      return;
    case 'Disabled':
      throw new KeystoreError('disabled', 'the KMS key is disabled: enable it in the customer account', 'enabled');
    case 'PendingDeletion':
    case 'PendingReplicaDeletion': {
      const when = meta.DeletionDate ? ` on ${meta.DeletionDate.toISOString()}` : '';
      throw new KeystoreError('pending-deletion', `the KMS key is scheduled for deletion${when}: cancel the deletion to use it`, 'enabled');
    }
    case 'PendingImport':
      throw new KeystoreError('disabled', 'the KMS key has no key material yet (PendingImport)', 'enabled');
    case 'Unavailable':
      throw new KeystoreError('unreachable', 'the KMS key is Unavailable (its custom key store is disconnected)', 'enabled');
    default:
      throw new KeystoreError('disabled', `the KMS key is in state ${meta.KeyState ?? 'unknown'}`, 'enabled');
  }
}

function assertUsage(meta: KeyMetadata): void {
  if (meta.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw new KeystoreError('wrong-usage', `key usage is ${meta.KeyUsage ?? 'unknown'}; ENCRYPT_DECRYPT is required`, 'usage');
  }
  const spec = meta.KeySpec ?? meta.CustomerMasterKeySpec;
  if (spec !== 'SYMMETRIC_DEFAULT') {
    // Asymmetric keys cannot bind an EncryptionContext, and HMAC keys cannot encrypt.
    throw new KeystoreError('wrong-usage', `key spec is ${spec ?? 'unknown'}; SYMMETRIC_DEFAULT is required so the tenant context is bound`, 'usage');
  }
}
