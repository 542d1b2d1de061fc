import https from 'node:https';
import tls from 'node:tls';
import { ClientSecretCredential } from '@azure/identity';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import type { KeyVaultKey, KeyWrapAlgorithm } from '@azure/keyvault-keys';
import { mapAzureError, mapLocalKeyCheck } from './errors.js';
import { parseKeyUrl } from './config.js';
import type { AzureKeyVaultSecrets, AzureKeyVaultSettings, ParsedKeyUrl } from './config.js';
import { Probe, runDiagnostics } from '../diagnostics.js';
import { bindPayload, unbindPayload } from '../shared/bound-payload.js';
import { validateContext } from '../shared/context.js';
import { probeHttp } from '../shared/http-probe.js';
import { createRedactor } from '../shared/redact.js';
import { roundTripCheck } from '../shared/round-trip.js';
import { KeystoreError } from '../types.js';
import type { Redactor } from '../shared/redact.js';
import type { Diagnostics, DiagnosticStep, L1Connector, L1KeyMetadata, TestConnectionOptions, WrapContext } from '../types.js';

const FORMAT_V1 = 0x01;
const ALGORITHM_IDS: Record<'RSA-OAEP-256' | 'A256KW', number> = { 'RSA-OAEP-256': 1, A256KW: 2 };
const RSA_TYPES = new Set(['RSA', 'RSA-HSM']);
const OCT_TYPES = new Set(['oct', 'oct-HSM']);
const MIN_RSA_BITS = 2048;

interface PinnedKey {
  key: KeyVaultKey;
  version: string;
  algorithm: 'RSA-OAEP-256' | 'A256KW';
}

/**
 * L1 in Azure Key Vault or Managed HSM (BYOK). wrapKey/unwrapKey with RSA-OAEP-256 (RSA keys) or
 * A256KW (oct-HSM keys). Neither has associated data, so the payload is `L2 || SHA-256(context)`
 * and unwrap checks the digest. The key version is pinned when the connector first resolves the
 * key and written into every blob, so blobs keep unwrapping after the customer rotates the key.
 */
export class AzureKeyVaultConnector implements L1Connector {
  readonly kind = 'azure-keyvault' as const;
  private readonly parsed: ParsedKeyUrl;
  private readonly credential: TokenCredential;
  private readonly keyClient: KeyClient;
  private readonly agent: https.Agent;
  private readonly redact: Redactor;
  private readonly cryptoClients = new Map<string, CryptographyClient>();
  private readonly clientOptions;
  private pinned?: PinnedKey;

  constructor(
    private readonly settings: AzureKeyVaultSettings,
    secrets: AzureKeyVaultSecrets,
  ) {
    const parsed = parseKeyUrl(settings.keyUrl);
    if (!parsed) throw new KeystoreError('invalid-config', 'keyUrl is not a Key Vault key URL');
    this.parsed = parsed;
    this.redact = createRedactor([secrets.clientSecret]);
    // A custom CA is added to, not substituted for, the public roots.
    this.agent = new https.Agent({ keepAlive: true, timeout: settings.timeoutMs, ...(settings.caCertPem ? { ca: [...tls.rootCertificates, settings.caCertPem] } : {}) });
    const pipeline = { agent: this.agent, retryOptions: { maxRetries: settings.maxRetries, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 } };
    const inner = new ClientSecretCredential(settings.tenantId, settings.clientId, secrets.clientSecret, {
      ...pipeline,
      ...(settings.authorityHost ? { authorityHost: settings.authorityHost, disableInstanceDiscovery: true } : {}),
    });
    // The vault's 401 challenge names a tenant; we always authenticate in the configured one, so a
    // vault URL cannot steer OpenKCM's service principal to another tenant.
    this.credential = { getToken: (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => inner.getToken(scopes, { ...options, tenantId: undefined }) };
    this.clientOptions = { ...pipeline, disableChallengeResourceVerification: !parsed.azureHost };
    this.keyClient = new KeyClient(parsed.vaultUrl, this.credential, this.clientOptions);
  }

  async describe(): Promise<L1KeyMetadata> {
    return toMetadata(await this.fetchKey());
  }

  async wrap(plaintext: Buffer, context: WrapContext): Promise<Buffer> {
    if (plaintext.length === 0 || plaintext.length > 64) throw new KeystoreError('invalid-config', 'plaintext must be 1..64 bytes (an L2 key)');
    validateContext(context);
    const pinned = await this.guard('round-trip', () => this.pin());
    const payload = bindPayload(plaintext, context);
    try {
      const result = await this.guard('round-trip', () => this.crypto(pinned.version).wrapKey(pinned.algorithm, payload, { abortSignal: this.deadline() }));
      const version = Buffer.from(pinned.version, 'ascii');
      return Buffer.concat([Buffer.of(FORMAT_V1, version.length), version, Buffer.of(ALGORITHM_IDS[pinned.algorithm]), Buffer.from(result.result)]);
    } finally {
      payload.fill(0);
    }
  }

  async unwrap(wrapped: Buffer, context: WrapContext): Promise<Buffer> {
    validateContext(context);
    const { version, algorithm, body } = parseBlob(wrapped);
    const result = await this.guard('round-trip', () => this.crypto(version).unwrapKey(algorithm, body, { abortSignal: this.deadline() }));
    return unbindPayload(Buffer.from(result.result.buffer, result.result.byteOffset, result.result.byteLength), context);
  }

  async testConnection(options: TestConnectionOptions = {}): Promise<Diagnostics> {
    const keyProbe = new Probe(() => this.guard('key-exists', () => this.fetchKey()));
    let key: KeyVaultKey | undefined;
    const diagnostics = await runDiagnostics(
      {
        reachable: async () => {
          const status = await probeHttp(this.parsed.vaultUrl, { timeoutMs: this.settings.timeoutMs, ...(this.settings.caCertPem ? { ca: this.settings.caCertPem } : {}) });
          return `${new URL(this.parsed.vaultUrl).host} answered (HTTP ${status})`;
        },
        authenticated: async () => {
          await this.guard('authenticated', () => this.credential.getToken(this.scope(), { abortSignal: this.deadline() }));
          await keyProbe.passes('authenticated');
          return `Entra ID issued a token to client ${this.settings.clientId} and the vault accepted it`;
        },
        'key-exists': async () => {
          await keyProbe.passes('key-exists');
          key = await keyProbe.value().catch(() => undefined);
          // A disabled key exists, but Key Vault refuses to show it: the enabled step reports that.
          if (!key) return `found ${this.parsed.name}`;
          return `found ${this.parsed.name}, version ${key.properties.version ?? '?'}${this.parsed.version ? '' : ' (current version pinned)'}`;
        },
        enabled: async () => {
          await keyProbe.passes('enabled');
          assertEnabled(key!);
          return key!.properties.expiresOn ? `enabled, expires ${key!.properties.expiresOn.toISOString()}` : 'enabled, no expiry';
        },
        usage: async () => {
          const algorithm = this.algorithmFor(key!);
          return `${key!.keyType} key allows wrapKey/unwrapKey; using ${algorithm}`;
        },
        'round-trip': () => roundTripCheck(this),
      },
      this.redact,
      options.onStep,
    );
    return key ? { ...diagnostics, key: toMetadata(key) } : diagnostics;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private scope(): string {
    if (this.parsed.managedHsm) return 'https://managedhsm.azure.net/.default';
    if (this.parsed.azureHost) return 'https://vault.azure.net/.default';
    return `${this.parsed.vaultUrl}/.default`;
  }

  private deadline(): AbortSignal {
    return AbortSignal.timeout(this.settings.timeoutMs);
  }

  private async fetchKey(): Promise<KeyVaultKey> {
    return this.keyClient.getKey(this.parsed.name, { ...(this.parsed.version ? { version: this.parsed.version } : {}), abortSignal: this.deadline() });
  }

  /** Resolves and checks the key once; wrap uses that version from then on. */
  private async pin(): Promise<PinnedKey> {
    if (this.pinned) return this.pinned;
    const key = await this.fetchKey();
    assertEnabled(key);
    const algorithm = this.algorithmFor(key);
    const version = key.properties.version;
    if (!version) throw new KeystoreError('internal', 'Key Vault returned a key without a version', 'key-exists');
    this.pinned = { key, version, algorithm };
    return this.pinned;
  }

  private algorithmFor(key: KeyVaultKey): 'RSA-OAEP-256' | 'A256KW' {
    const ops = key.keyOperations ?? [];
    const missing = ['wrapKey', 'unwrapKey'].filter((op) => !ops.includes(op as never));
    if (missing.length > 0) {
      throw new KeystoreError('wrong-usage', `the key's permitted operations lack ${missing.join(' and ')} (it allows: ${ops.join(', ') || 'nothing'})`, 'usage');
    }
    const type = key.keyType ?? 'unknown';
    const algorithm = this.settings.algorithm ?? (OCT_TYPES.has(type) ? 'A256KW' : 'RSA-OAEP-256');
    if (algorithm === 'RSA-OAEP-256') {
      if (!RSA_TYPES.has(type)) throw new KeystoreError('wrong-usage', `RSA-OAEP-256 needs an RSA key, this one is ${type}`, 'usage');
      const bits = rsaBits(key.key?.n);
      if (bits < MIN_RSA_BITS) throw new KeystoreError('wrong-usage', `RSA key of ${bits} bits is below ${MIN_RSA_BITS}`, 'usage');
    } else if (!OCT_TYPES.has(type)) {
      throw new KeystoreError('wrong-usage', `A256KW needs an oct-HSM key (Managed HSM), this one is ${type}`, 'usage');
    }
    return algorithm;
  }

  private crypto(version: string): CryptographyClient {
    let client = this.cryptoClients.get(version);
    if (!client) {
      client = new CryptographyClient(`${this.parsed.vaultUrl}/keys/${this.parsed.name}/${version}`, this.credential, this.clientOptions);
      this.cryptoClients.set(version, client);
    }
    return client;
  }

  private async guard<T>(step: DiagnosticStep, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const mapped = mapLocalKeyCheck(error) ?? mapAzureError(error, new URL(this.parsed.vaultUrl).host, step);
      const message = this.redact(mapped.message);
      throw message === mapped.message ? mapped : new KeystoreError(mapped.code, message, mapped.step, { cause: mapped.cause });
    }
  }
}

function parseBlob(blob: Buffer): { version: string; algorithm: KeyWrapAlgorithm; body: Buffer } {
  const versionLength = blob[1] ?? 0;
  const algorithmId = blob[2 + versionLength];
  const version = blob.subarray(2, 2 + versionLength).toString('ascii');
  const algorithm = (Object.keys(ALGORITHM_IDS) as Array<keyof typeof ALGORITHM_IDS>).find((a) => ALGORITHM_IDS[a] === algorithmId);
  if (blob[0] !== FORMAT_V1 || !/^[0-9A-Za-z]{1,64}$/.test(version) || !algorithm || blob.length <= 3 + versionLength) {
    throw new KeystoreError('crypto-failure', 'not a blob wrapped by the Azure Key Vault connector');
  }
  return { version, algorithm, body: blob.subarray(3 + versionLength) };
}

function assertEnabled(key: KeyVaultKey): void {
  const p = key.properties;
  if (p.enabled === false) throw new KeystoreError('disabled', 'the key is disabled in Key Vault: enable it to use it', 'enabled');
  const now = Date.now();
  if (p.notBefore && p.notBefore.getTime() > now) {
    throw new KeystoreError('disabled', `the key is not valid before ${p.notBefore.toISOString()}`, 'enabled');
  }
  if (p.expiresOn && p.expiresOn.getTime() <= now) throw new KeystoreError('disabled', `the key expired on ${p.expiresOn.toISOString()}`, 'enabled');
}

function toMetadata(key: KeyVaultKey): L1KeyMetadata {
  const p = key.properties;
  const expired = p.expiresOn !== undefined && p.expiresOn.getTime() <= Date.now();
  const early = p.notBefore !== undefined && p.notBefore.getTime() > Date.now();
  return {
    keyId: key.id ?? `${p.vaultUrl}/keys/${key.name}/${p.version ?? ''}`,
    ...(p.version ? { version: p.version } : {}),
    state: p.enabled === false || expired || early ? 'disabled' : 'enabled',
    algorithm: `${key.keyType ?? 'unknown'}${key.key?.n ? `-${rsaBits(key.key.n)}` : ''}`,
    usage: [...(key.keyOperations ?? [])],
  };
}

/** Modulus size in bits; JWK moduli may carry a leading zero byte. */
function rsaBits(n: Uint8Array | undefined): number {
  if (!n) return 0;
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  return i === n.length ? 0 : (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}
