import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { KmipClient, KmipResultError } from '../../../clients/kmip/index.js';
import type { KmipAttribute } from '../../../kmip-server/protocol/attributes.js';
import { BlockCipherMode, CryptographicAlgorithm, CryptographicUsageMask, ObjectType, ResultReason, State } from '../../../kmip-server/codec/enums.js';
import { mapKmipError } from './errors.js';
import type { KmipSecrets, KmipSettings } from './config.js';
import { Probe, runDiagnostics } from '../diagnostics.js';
import { encodeContext } from '../shared/context.js';
import { createRedactor } from '../shared/redact.js';
import { roundTripCheck } from '../shared/round-trip.js';
import { KeystoreError } from '../types.js';
import type { Redactor } from '../shared/redact.js';
import type { Diagnostics, DiagnosticStep, L1Connector, L1KeyMetadata, TestConnectionOptions, WrapContext } from '../types.js';

const FORMAT_GCM = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ATTRIBUTES = ['Object Type', 'State', 'Cryptographic Algorithm', 'Cryptographic Length', 'Cryptographic Usage Mask'] as const;

interface KeyFacts {
  objectType?: number;
  state?: number;
  algorithm?: number;
  length?: number;
  usageMask?: number;
}

const STATE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(State).map(([k, v]) => [v, k]));

/**
 * L1 on a customer's KMIP server (HYOK). The server does AES-GCM Encrypt/Decrypt with the L1 key;
 * OpenKCM supplies a random 96-bit IV and the tenant context as Authenticated Encryption
 * Additional Data (KMIP 1.4), and never asks for the key itself (no Get).
 * Blob: 0x01 ‖ IV(12) ‖ tag(16) ‖ ciphertext.
 */
export class KmipConnector implements L1Connector {
  readonly kind = 'kmip' as const;
  private readonly client: KmipClient;
  private readonly endpoint: string;
  private readonly redact: Redactor;

  constructor(
    private readonly settings: KmipSettings,
    secrets: KmipSecrets,
  ) {
    this.endpoint = `${settings.host}:${settings.port}`;
    this.redact = createRedactor([secrets.clientKeyPem, secrets.clientKeyPassphrase]);
    this.client = new KmipClient({
      host: settings.host,
      port: settings.port,
      ca: settings.caCertPem,
      cert: settings.clientCertPem,
      key: secrets.clientKeyPem,
      ...(settings.serverName ? { servername: settings.serverName } : {}),
      timeoutMs: settings.timeoutMs,
      connectTimeoutMs: settings.timeoutMs,
      ...(secrets.clientKeyPassphrase ? { tls: { passphrase: secrets.clientKeyPassphrase } } : {}),
      protocolVersion: { major: 1, minor: 4 },
    });
  }

  async describe(): Promise<L1KeyMetadata> {
    return this.metadata(await this.guard('key-exists', () => this.facts()));
  }

  async wrap(plaintext: Buffer, context: WrapContext): Promise<Buffer> {
    if (plaintext.length === 0 || plaintext.length > 1024) throw new KeystoreError('invalid-config', 'plaintext must be 1..1024 bytes');
    const aad = encodeContext(context);
    const iv = randomBytes(IV_BYTES);
    const out = await this.guard('round-trip', () =>
      this.client.encrypt(this.settings.keyUniqueIdentifier, plaintext, { parameters: this.gcm(), iv, aad }),
    );
    if (!out.tag || out.tag.length !== TAG_BYTES) throw new KeystoreError('crypto-failure', 'the KMIP server returned no authentication tag', 'round-trip');
    return Buffer.concat([Buffer.of(FORMAT_GCM), iv, Buffer.from(out.tag), Buffer.from(out.data)]);
  }

  async unwrap(wrapped: Buffer, context: WrapContext): Promise<Buffer> {
    const aad = encodeContext(context);
    if (wrapped[0] !== FORMAT_GCM || wrapped.length <= 1 + IV_BYTES + TAG_BYTES) {
      throw new KeystoreError('crypto-failure', 'not a blob wrapped by the KMIP connector');
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const data = wrapped.subarray(1 + IV_BYTES + TAG_BYTES);
    const out = await this.guard('round-trip', async () => {
      try {
        return await this.client.decrypt(this.settings.keyUniqueIdentifier, data, { parameters: this.gcm(), iv, aad, tag });
      } catch (error) {
        // The key was accepted for Decrypt, so a General Failure is the GCM tag check: PyKMIP (and
        // some HSMs) report it that way instead of Cryptographic Failure.
        if (error instanceof KmipResultError && error.resultReason === ResultReason.GeneralFailure) {
          throw new KeystoreError('crypto-failure', 'the blob is corrupt or bound to another tenant, purpose or L2 version (General Failure on Decrypt)', 'round-trip', { cause: error });
        }
        throw error;
      }
    });
    return Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  }

  async testConnection(options: TestConnectionOptions = {}): Promise<Diagnostics> {
    const probe = new Probe(() => this.guard('key-exists', () => this.facts()));
    let facts: KeyFacts | undefined;
    const diagnostics = await runDiagnostics(
      {
        reachable: async () => {
          await this.tcpProbe();
          return `${this.endpoint} accepts connections`;
        },
        authenticated: async () => {
          await probe.passes('authenticated');
          return 'mutual TLS accepted by the server';
        },
        'key-exists': async () => {
          await probe.passes('key-exists');
          facts = await probe.value();
          if (facts.objectType !== undefined && facts.objectType !== ObjectType.SymmetricKey) {
            throw new KeystoreError('wrong-usage', `object ${this.settings.keyUniqueIdentifier} is not a symmetric key`, 'key-exists');
          }
          return `found symmetric key ${this.settings.keyUniqueIdentifier}`;
        },
        enabled: async () => {
          if (facts!.state !== State.Active) {
            const name = facts!.state === undefined ? 'unknown' : (STATE_NAMES[facts!.state] ?? String(facts!.state));
            throw new KeystoreError('disabled', `the key is ${name}, not Active${facts!.state === State.PreActive ? ': activate it on the KMIP server' : ''}`, 'enabled');
          }
          return 'key state is Active';
        },
        usage: async () => {
          const f = facts!;
          if (f.algorithm !== CryptographicAlgorithm.AES) throw new KeystoreError('wrong-usage', 'the key is not an AES key', 'usage');
          const needed = CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt;
          if (((f.usageMask ?? 0) & needed) !== needed) {
            throw new KeystoreError('wrong-usage', 'the key usage mask lacks Encrypt and/or Decrypt', 'usage');
          }
          return `AES-${f.length ?? '?'} key with Encrypt/Decrypt; AES-GCM on the server`;
        },
        'round-trip': () => roundTripCheck(this),
      },
      this.redact,
      options.onStep,
    );
    return facts ? { ...diagnostics, key: this.metadata(facts) } : diagnostics;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private gcm() {
    return { algorithm: CryptographicAlgorithm.AES, blockCipherMode: BlockCipherMode.GCM, tagLength: TAG_BYTES };
  }

  private async facts(): Promise<KeyFacts> {
    const attrs = await this.client.getAttributes(this.settings.keyUniqueIdentifier, ATTRIBUTES);
    const num = (name: string): number | undefined => {
      const a = attrs.find((x: KmipAttribute) => x.name === name);
      const v = a?.value.value;
      return typeof v === 'number' ? v : undefined;
    };
    return {
      objectType: num('Object Type'),
      state: num('State'),
      algorithm: num('Cryptographic Algorithm'),
      length: num('Cryptographic Length'),
      usageMask: num('Cryptographic Usage Mask'),
    };
  }

  private metadata(f: KeyFacts): L1KeyMetadata {
    const usage: string[] = [];
    if ((f.usageMask ?? 0) & CryptographicUsageMask.Encrypt) usage.push('Encrypt');
    if ((f.usageMask ?? 0) & CryptographicUsageMask.Decrypt) usage.push('Decrypt');
    return {
      keyId: `${this.endpoint}/${this.settings.keyUniqueIdentifier}`,
      state: f.state === State.Active ? 'enabled' : f.state === undefined ? 'unknown' : 'disabled',
      algorithm: f.algorithm === CryptographicAlgorithm.AES ? `AES-${f.length ?? '?'}` : 'unknown',
      usage,
    };
  }

  private tcpProbe(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.settings.host, port: this.settings.port, timeout: this.settings.timeoutMs });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(new KeystoreError('timeout', `${this.endpoint} did not accept a connection in time`, 'reachable'));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => reject(new KeystoreError('unreachable', `cannot reach ${this.endpoint} (${error.code ?? error.name})`, 'reachable', { cause: error })));
    });
  }

  private async guard<T>(step: DiagnosticStep, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const mapped = mapKmipError(error, this.endpoint, step);
      const message = this.redact(mapped.message);
      throw message === mapped.message ? mapped : new KeystoreError(mapped.code, message, mapped.step, { cause: mapped.cause });
    }
  }
}
