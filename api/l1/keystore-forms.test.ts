import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { validateKeystoreConfig } from './keystore-config.js';
import { fromKeystore, keystoreForm } from './keystore-forms.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

function fieldsOf(body: unknown): Record<string, string> {
  try {
    validateKeystoreConfig(keystoreForm.parse(body));
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).details!.fields as Record<string, string>;
  }
  throw new Error('expected the configuration to be refused');
}

describe('keystore forms ↔ keystore schemas', () => {
  it('aws-kms: static keys and assumed roles map to the keystore credentials; the key id is not shown back', () => {
    const stat = validateKeystoreConfig(
      keystoreForm.parse({
        kind: 'aws-kms',
        label: 'k',
        settings: { keyArn: 'arn:aws:kms:eu-west-1:111122223333:alias/openkcm', region: 'eu-west-1' },
        secrets: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) },
      }),
    );
    expect(stat.settings).toMatchObject({ kind: 'aws-kms', credentials: { type: 'static', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } });
    expect(stat.secrets).toEqual({ secretAccessKey: 'x'.repeat(40) });
    expect(stat.secretNames).toEqual(['accessKeyId', 'secretAccessKey']);
    expect(fromKeystore('aws-kms', stat.settings)).toEqual({
      keyArn: 'arn:aws:kms:eu-west-1:111122223333:alias/openkcm',
      region: 'eu-west-1',
      timeoutMs: 5_000,
      maxAttempts: 2,
    });

    const role = validateKeystoreConfig(
      keystoreForm.parse({
        kind: 'aws-kms',
        label: 'k',
        settings: { keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/abc-1', roleArn: 'arn:aws:iam::111122223333:role/openkcm', externalId: 'tenant-acme' },
      }),
    );
    expect(role.settings.credentials).toMatchObject({ type: 'assume-role', source: { type: 'default' } });
    expect(fromKeystore('aws-kms', role.settings)).toMatchObject({ roleArn: 'arn:aws:iam::111122223333:role/openkcm', externalId: 'tenant-acme' });
  });

  it('aws-kms: problems are named in the API’s terms', () => {
    expect(fieldsOf({ kind: 'aws-kms', label: 'k', settings: { keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/a', region: 'us-east-1' }, secrets: {} })).toEqual({
      'settings.region': "must be the key ARN's region (eu-west-1)",
      'secrets.accessKeyId': 'is required unless a role is assumed',
    });
    const fields = fieldsOf({ kind: 'aws-kms', label: 'k', settings: { keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/a' }, secrets: { accessKeyId: 'not-an-id', secretAccessKey: 'x'.repeat(40) } });
    expect(Object.keys(fields)).toEqual(['secrets.accessKeyId']);
  });

  it('azure-keyvault, pkcs11 and kmip rename their fields both ways', () => {
    const azure = validateKeystoreConfig(
      keystoreForm.parse({
        kind: 'azure-keyvault',
        label: 'k',
        settings: { keyUrl: 'https://acme.vault.azure.net/keys/l1', tenantDirectoryId: 'contoso.onmicrosoft.com', clientId: 'a1b2c3' },
        secrets: { clientSecret: 's' },
      }),
    );
    expect(azure.settings).toMatchObject({ kind: 'azure-keyvault', tenantId: 'contoso.onmicrosoft.com' });
    expect(fromKeystore('azure-keyvault', azure.settings)).toMatchObject({ tenantDirectoryId: 'contoso.onmicrosoft.com' });
    expect(Object.keys(fieldsOf({ kind: 'azure-keyvault', label: 'k', settings: { keyUrl: 'https://x/keys/y', tenantDirectoryId: 'bad id!', clientId: 'c' } }))).toEqual(
      expect.arrayContaining(['settings.tenantDirectoryId', 'secrets.clientSecret']),
    );

    const hsm = validateKeystoreConfig(
      keystoreForm.parse({ kind: 'pkcs11', label: 'k', settings: { modulePath: '/usr/lib/softhsm/libsofthsm2.so', slot: 0, keyLabel: 'l1' }, secrets: { pin: '1234' } }),
    );
    expect(hsm.settings).toMatchObject({ slotIndex: 0, mechanism: 'aes-gcm' });
    expect(fromKeystore('pkcs11', hsm.settings)).toMatchObject({ slot: 0 });
    expect(Object.keys(fieldsOf({ kind: 'pkcs11', label: 'k', settings: { modulePath: '/x.so', slot: -1, keyLabel: 'l1' }, secrets: { pin: '1' } }))).toEqual(['settings.slot']);

    const kmip = validateKeystoreConfig(
      keystoreForm.parse({ kind: 'kmip', label: 'k', settings: { host: 'hsm.example', keyId: '42', caCertPem: CERT, clientCertPem: CERT }, secrets: { clientKeyPem: KEY } }),
    );
    expect(kmip.settings).toMatchObject({ keyUniqueIdentifier: '42', port: 5696 });
    expect(fromKeystore('kmip', kmip.settings)).toMatchObject({ keyId: '42', port: 5696 });
    expect(Object.keys(fieldsOf({ kind: 'kmip', label: 'k', settings: { host: 'h', keyId: '1', caCertPem: 'x', clientCertPem: CERT }, secrets: {} }))).toEqual(
      expect.arrayContaining(['settings.caCertPem', 'secrets.clientKeyPem']),
    );
  });
});
