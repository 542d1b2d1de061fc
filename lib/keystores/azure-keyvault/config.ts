import { z } from 'zod';

/** Hosts of real Key Vaults and Managed HSMs (public and sovereign clouds). */
const AZURE_VAULT_SUFFIXES = ['.vault.azure.net', '.vault.azure.cn', '.vault.usgovcloudapi.net', '.vault.microsoftazure.de'];
const AZURE_MHSM_SUFFIXES = ['.managedhsm.azure.net', '.managedhsm.azure.cn', '.managedhsm.usgovcloudapi.net'];

export const azureKeyVaultSettingsSchema = z.object({
  kind: z.literal('azure-keyvault'),
  /** https://<vault>.vault.azure.net/keys/<name>[/<version>] (or a Managed HSM URL). Without a version the current one is pinned. */
  keyUrl: z.url({ protocol: /^https$/ }).refine((u) => parseKeyUrl(u) !== undefined, 'must be a Key Vault key URL: https://<vault>/keys/<name>[/<version>]'),
  /** The customer's Entra ID tenant where the service principal lives. */
  tenantId: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.-]{0,127}$/, 'must be a tenant id or domain'),
  clientId: z.string().regex(/^[0-9A-Za-z-]{1,128}$/, 'must be an application (client) id'),
  /** Entra ID authority (sovereign clouds, or a test identity provider). */
  authorityHost: z.url({ protocol: /^https$/ }).optional(),
  /** Wrap algorithm; by default RSA-OAEP-256 for RSA keys and A256KW for oct-HSM (Managed HSM) keys. */
  algorithm: z.enum(['RSA-OAEP-256', 'A256KW']).optional(),
  /** PEM CA certificate(s) to trust besides the system roots (private endpoints behind a corporate CA, emulators). */
  caCertPem: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be PEM' }).optional(),
  timeoutMs: z.number().int().min(50).max(60_000).default(5_000),
  maxRetries: z.number().int().min(0).max(5).default(1),
  })
  // Unknown fields are refused, so a secret pasted into settings is never stored in clear.
  .strict();

export const azureKeyVaultSecretsSchema = z.object({
  clientSecret: z.string().min(1, 'is required'),
});

export type AzureKeyVaultSettings = z.output<typeof azureKeyVaultSettingsSchema>;
export type AzureKeyVaultSettingsInput = z.input<typeof azureKeyVaultSettingsSchema>;
export type AzureKeyVaultSecrets = z.output<typeof azureKeyVaultSecretsSchema>;

export interface ParsedKeyUrl {
  vaultUrl: string;
  name: string;
  version?: string;
  managedHsm: boolean;
  /** A real Azure host (challenge resource verification stays on) rather than an emulator or private alias. */
  azureHost: boolean;
}

export function parseKeyUrl(keyUrl: string): ParsedKeyUrl | undefined {
  let url: URL;
  try {
    url = new URL(keyUrl);
  } catch {
    return undefined;
  }
  const match = /^\/keys\/([0-9A-Za-z-]{1,127})(?:\/([0-9A-Za-z]{1,64}))?\/?$/.exec(url.pathname);
  if (url.protocol !== 'https:' || !match || url.search || url.hash) return undefined;
  const host = url.hostname.toLowerCase();
  const managedHsm = AZURE_MHSM_SUFFIXES.some((s) => host.endsWith(s));
  return {
    vaultUrl: url.origin,
    name: match[1]!,
    ...(match[2] ? { version: match[2] } : {}),
    managedHsm,
    azureHost: managedHsm || AZURE_VAULT_SUFFIXES.some((s) => host.endsWith(s)),
  };
}
