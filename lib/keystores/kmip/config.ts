import { z } from 'zod';

/**
 * A customer's KMIP-speaking HSM (HYOK), reached with the project's KMIP client (clients/kmip).
 * Encrypt/Decrypt run on the customer's server with AES-GCM and the tenant context as
 * Authenticated Encryption Additional Data (KMIP 1.4+; PyKMIP supports it).
 */
export const kmipSettingsSchema = z.object({
  kind: z.literal('kmip'),
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535).default(5696),
  /** PEM CA that issued the server certificate. */
  caCertPem: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be PEM' }),
  /** PEM client certificate OpenKCM presents (its private key is a secret). */
  clientCertPem: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be PEM' }),
  /** Unique Identifier of the L1 symmetric key on the server. */
  keyUniqueIdentifier: z.string().min(1).max(256),
  /** Expected TLS server name, when it differs from host. */
  serverName: z.string().min(1).max(253).optional(),
  timeoutMs: z.number().int().min(50).max(60_000).default(5_000),
  })
  // Unknown fields are refused, so a secret pasted into settings is never stored in clear.
  .strict();

export const kmipSecretsSchema = z.object({
  clientKeyPem: z.string().includes('PRIVATE KEY-----', { message: 'must be a PEM private key' }),
  /** Passphrase of an encrypted private key. */
  clientKeyPassphrase: z.string().min(1).optional(),
});

export type KmipSettings = z.output<typeof kmipSettingsSchema>;
export type KmipSecrets = z.output<typeof kmipSecretsSchema>;
