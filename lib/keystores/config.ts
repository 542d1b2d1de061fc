import { z } from 'zod';
import { awsKmsSecretsSchema, awsKmsSettingsSchema } from './aws-kms/config.js';
import { azureKeyVaultSecretsSchema, azureKeyVaultSettingsSchema } from './azure-keyvault/config.js';
import { kmipSecretsSchema, kmipSettingsSchema } from './kmip/config.js';
import { pkcs11SecretsSchema, pkcs11SettingsSchema } from './pkcs11/config.js';

/**
 * A keystore configuration is two documents: settings (stored in clear, shown in the console)
 * and secrets (access keys, client secrets, PINs, client private keys: encrypted at rest by the
 * caller, never returned by the API). Both are validated here.
 */
export const keystoreSettingsSchema = z.discriminatedUnion('kind', [awsKmsSettingsSchema, azureKeyVaultSettingsSchema, pkcs11SettingsSchema, kmipSettingsSchema]);

export type KeystoreSettings = z.output<typeof keystoreSettingsSchema>;
export type KeystoreSettingsInput = z.input<typeof keystoreSettingsSchema>;

/** The secrets schema that goes with each kind. */
export const keystoreSecretsSchemas = {
  'aws-kms': awsKmsSecretsSchema,
  'azure-keyvault': azureKeyVaultSecretsSchema,
  pkcs11: pkcs11SecretsSchema,
  kmip: kmipSecretsSchema,
} as const;

export type KeystoreSecrets = z.output<(typeof keystoreSecretsSchemas)[keyof typeof keystoreSecretsSchemas]>;
