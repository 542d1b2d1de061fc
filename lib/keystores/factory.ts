import { AwsKmsConnector } from './aws-kms/connector.js';
import { awsKmsSecretsSchema, needsSecretAccessKey } from './aws-kms/config.js';
import type { AwsKmsConnectorOptions } from './aws-kms/connector.js';
import { AzureKeyVaultConnector } from './azure-keyvault/connector.js';
import { azureKeyVaultSecretsSchema } from './azure-keyvault/config.js';
import { Pkcs11Connector } from './pkcs11/connector.js';
import { pkcs11SecretsSchema } from './pkcs11/config.js';
import { KmipConnector } from './kmip/connector.js';
import { kmipSecretsSchema } from './kmip/config.js';
import { parseConfig } from './shared/config-error.js';
import { createRedactor } from './shared/redact.js';
import { KeystoreError } from './types.js';
import type { L1Connector } from './types.js';
import type { KeystoreSecrets, KeystoreSettings } from './config.js';
import { keystoreSettingsSchema } from './config.js';

export interface ConnectorOptions {
  aws?: AwsKmsConnectorOptions;
}

/**
 * Builds the connector for a keystore configuration. `settings` is what the store keeps in clear
 * and the console shows; `secrets` is what the caller keeps encrypted at rest (lib/secrets) and
 * decrypts only to build a connector. Invalid input fails here, with field names but never values.
 */
export function createConnector(settingsInput: unknown, secretsInput: unknown, options: ConnectorOptions = {}): L1Connector {
  const redact = createRedactor(secretStrings(secretsInput));
  try {
    const settings: KeystoreSettings = parseConfig(keystoreSettingsSchema, settingsInput, 'keystore settings');
    switch (settings.kind) {
      case 'aws-kms': {
        const secrets = parseConfig(awsKmsSecretsSchema, secretsInput ?? {}, 'AWS KMS secrets');
        if (needsSecretAccessKey(settings) && !secrets.secretAccessKey) {
          throw new KeystoreError('invalid-config', 'invalid AWS KMS secrets: secretAccessKey is required for static credentials');
        }
        return new AwsKmsConnector(settings, secrets, options.aws);
      }
      case 'azure-keyvault':
        return new AzureKeyVaultConnector(settings, parseConfig(azureKeyVaultSecretsSchema, secretsInput ?? {}, 'Azure Key Vault secrets'));
      case 'pkcs11':
        return new Pkcs11Connector(settings, parseConfig(pkcs11SecretsSchema, secretsInput ?? {}, 'PKCS#11 secrets'));
      case 'kmip':
        return new KmipConnector(settings, parseConfig(kmipSecretsSchema, secretsInput ?? {}, 'KMIP secrets'));
    }
  } catch (error) {
    if (error instanceof KeystoreError) throw new KeystoreError(error.code, redact(error.message), error.step);
    throw error;
  }
}

export type { KeystoreSecrets, KeystoreSettings };

function secretStrings(input: unknown): string[] {
  if (!input || typeof input !== 'object') return [];
  return Object.values(input as Record<string, unknown>).filter((v): v is string => typeof v === 'string');
}
