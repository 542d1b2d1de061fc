import { z } from 'zod';

/**
 * The API's shape of each keystore configuration (docs/api.md, what the console's forms send)
 * and its translation to the keystore's own stored shape (lib/keystores/<kind>/config.ts).
 * Keeping the two apart lets the console use flat, form-friendly fields while the store keeps
 * exactly what `createConnector(settings, secrets)` takes. Field errors of the keystore schema
 * are reported under the API's field names.
 */
const text = z.string().min(1).max(4_096);
const pem = z.string().min(1).max(65_536);
const optionalText = text.optional();
const timeoutMs = z.number().int().optional();
const label = z.string().trim().min(1).max(100);

export const awsKmsForm = z.object({
  kind: z.literal('aws-kms'),
  label,
  settings: z
    .object({
      keyArn: text.describe('KMS key ARN or alias ARN'),
      region: optionalText.describe('must match the ARN (the region is taken from it)'),
      roleArn: optionalText.describe('IAM role to assume; with externalId'),
      externalId: optionalText,
      endpoint: optionalText.describe('KMS endpoint override (VPC endpoint, local-kms)'),
      timeoutMs,
      maxAttempts: z.number().int().optional(),
    })
    .strict(),
  secrets: z
    .object({
      accessKeyId: optionalText.describe('omit with a role and ambient credentials'),
      secretAccessKey: optionalText,
      sessionToken: optionalText,
    })
    .strict()
    .default({}),
});

export const azureKeyVaultForm = z.object({
  kind: z.literal('azure-keyvault'),
  label,
  settings: z
    .object({
      keyUrl: text.describe('https://<vault>.vault.azure.net/keys/<name>[/<version>]'),
      tenantDirectoryId: text.describe('the Entra ID tenant of the service principal'),
      clientId: text,
      algorithm: z.enum(['RSA-OAEP-256', 'A256KW']).optional(),
      authorityHost: optionalText.describe('Entra ID authority (sovereign clouds, test identity providers)'),
      caCertPem: pem.optional().describe('extra CA to trust (private endpoints, emulators)'),
      timeoutMs,
    })
    .strict(),
  secrets: z.object({ clientSecret: optionalText }).strict().default({}),
});

export const pkcs11Form = z.object({
  kind: z.literal('pkcs11'),
  label,
  settings: z
    .object({
      modulePath: text.describe('absolute path of the PKCS#11 library'),
      tokenLabel: optionalText.describe('the token, by label (or slot)'),
      slot: z.number().int().optional().describe('the token, by index among slots with a token (or tokenLabel)'),
      keyLabel: text,
      keyId: optionalText.describe('CKA_ID in hex, when labels are shared'),
      mechanism: z.enum(['aes-gcm', 'aes-key-wrap-pad']).optional(),
    })
    .strict(),
  secrets: z.object({ pin: optionalText }).strict().default({}),
});

export const kmipForm = z.object({
  kind: z.literal('kmip'),
  label,
  settings: z
    .object({
      host: text,
      port: z.number().int().optional(),
      keyId: text.describe('the L1 key’s Unique Identifier on the KMIP server'),
      caCertPem: pem,
      clientCertPem: pem,
      serverName: optionalText,
      timeoutMs,
    })
    .strict(),
  secrets: z.object({ clientKeyPem: pem.optional(), clientKeyPassphrase: optionalText }).strict().default({}),
});

export const keystoreForm = z.discriminatedUnion('kind', [awsKmsForm, azureKeyVaultForm, pkcs11Form, kmipForm]);
export type KeystoreForm = z.output<typeof keystoreForm>;

export interface KeystoreDocuments {
  /** The keystore's settings input, `kind` included. */
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
  /** Problems found while translating (API field paths). */
  issues: Array<{ path: PropertyKey[]; message: string }>;
  /** Keystore field path (dotted, under settings/secrets) → the API's field path. */
  paths: Record<string, string>;
}

const defined = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));

const KMS_ARN_REGION = /^arn:[a-z-]+:kms:([a-z0-9-]+):/;

export function toKeystore(form: KeystoreForm): KeystoreDocuments {
  const issues: KeystoreDocuments['issues'] = [];
  switch (form.kind) {
    case 'aws-kms': {
      const { settings: s, secrets } = form;
      const arnRegion = KMS_ARN_REGION.exec(s.keyArn)?.[1];
      if (s.region && arnRegion && s.region !== arnRegion) issues.push({ path: ['settings', 'region'], message: `must be the key ARN's region (${arnRegion})` });
      const staticKey = secrets.accessKeyId ? { type: 'static', accessKeyId: secrets.accessKeyId } : undefined;
      if (!s.roleArn && !staticKey) issues.push({ path: ['secrets', 'accessKeyId'], message: 'is required unless a role is assumed' });
      if (staticKey && !secrets.secretAccessKey) issues.push({ path: ['secrets', 'secretAccessKey'], message: 'is required with an access key id' });
      if (s.roleArn && !s.externalId) issues.push({ path: ['settings', 'externalId'], message: 'is required when a role is assumed' });
      const credentials = s.roleArn
        ? defined({ type: 'assume-role', roleArn: s.roleArn, externalId: s.externalId, source: staticKey ?? { type: 'default' } })
        : staticKey;
      return {
        settings: defined({ kind: 'aws-kms', keyArn: s.keyArn, endpoint: s.endpoint, credentials, timeoutMs: s.timeoutMs, maxAttempts: s.maxAttempts }),
        secrets: defined({ secretAccessKey: secrets.secretAccessKey, sessionToken: secrets.sessionToken }),
        issues,
        paths: {
          'settings.credentials': 'secrets.accessKeyId',
          'settings.credentials.accessKeyId': 'secrets.accessKeyId',
          'settings.credentials.source.accessKeyId': 'secrets.accessKeyId',
          'settings.credentials.roleArn': 'settings.roleArn',
          'settings.credentials.externalId': 'settings.externalId',
        },
      };
    }
    case 'azure-keyvault': {
      const { tenantDirectoryId, ...rest } = form.settings;
      return {
        settings: defined({ kind: 'azure-keyvault', ...rest, tenantId: tenantDirectoryId }),
        secrets: defined(form.secrets),
        issues,
        paths: { 'settings.tenantId': 'settings.tenantDirectoryId' },
      };
    }
    case 'pkcs11': {
      const { slot, ...rest } = form.settings;
      return {
        settings: defined({ kind: 'pkcs11', ...rest, slotIndex: slot }),
        secrets: defined(form.secrets),
        issues,
        paths: { 'settings.slotIndex': 'settings.slot' },
      };
    }
    case 'kmip': {
      const { keyId, ...rest } = form.settings;
      return {
        settings: defined({ kind: 'kmip', ...rest, keyUniqueIdentifier: keyId }),
        secrets: defined(form.secrets),
        issues,
        paths: { 'settings.keyUniqueIdentifier': 'settings.keyId' },
      };
    }
  }
}

/** Names of the secrets the form set, in the API's terms (the AWS access key id included). */
export function secretNames(form: KeystoreForm): string[] {
  return Object.entries(form.secrets)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .sort();
}

/** The stored keystore settings, shown in the API's terms; nothing from `secrets` appears. */
export function fromKeystore(kind: string, stored: Record<string, unknown>): Record<string, unknown> {
  const { kind: _kind, ...settings } = stored;
  switch (kind) {
    case 'aws-kms': {
      const { credentials, ...rest } = settings as { credentials?: { type?: string; roleArn?: string; externalId?: string }; keyArn?: unknown };
      const region = typeof rest.keyArn === 'string' ? KMS_ARN_REGION.exec(rest.keyArn)?.[1] : undefined;
      return defined({
        ...rest,
        region,
        ...(credentials?.type === 'assume-role' ? { roleArn: credentials.roleArn, externalId: credentials.externalId } : {}),
      });
    }
    case 'azure-keyvault': {
      const { tenantId, ...rest } = settings;
      return defined({ ...rest, tenantDirectoryId: tenantId });
    }
    case 'pkcs11': {
      const { slotIndex, ...rest } = settings;
      return defined({ ...rest, slot: slotIndex });
    }
    case 'kmip': {
      const { keyUniqueIdentifier, ...rest } = settings;
      return defined({ ...rest, keyId: keyUniqueIdentifier });
    }
    default:
      return settings;
  }
}
