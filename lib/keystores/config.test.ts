import { describe, expect, it } from 'vitest';
import { createConnector } from './factory.js';
import { keystoreSettingsSchema } from './config.js';
import { parseKmsArn } from './aws-kms/config.js';
import { mapAwsError } from './aws-kms/errors.js';
import { mapPkcs11Error } from './pkcs11/errors.js';
import { KeystoreError } from './types.js';

const awsSettings = {
  kind: 'aws-kms',
  keyArn: 'arn:aws:kms:eu-central-1:111122223333:alias/openkcm-l1',
  credentials: { type: 'assume-role', roleArn: 'arn:aws:iam::111122223333:role/openkcm', externalId: 'tenant-ext-id' },
};

describe('keystore settings', () => {
  it('parses each kind and fills defaults', () => {
    const aws = keystoreSettingsSchema.parse(awsSettings);
    expect(aws).toMatchObject({ kind: 'aws-kms', timeoutMs: 5000, maxAttempts: 2, credentials: { sessionName: 'openkcm', source: { type: 'default' } } });
    const p11 = keystoreSettingsSchema.parse({ kind: 'pkcs11', modulePath: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 't', keyLabel: 'k' });
    expect(p11).toMatchObject({ mechanism: 'aes-gcm', sessionPoolSize: 4 });
  });

  it('refuses a secret pasted into the settings document', () => {
    expect(keystoreSettingsSchema.safeParse({ ...awsSettings, secretAccessKey: 'x'.repeat(40) }).success).toBe(false);
    expect(keystoreSettingsSchema.safeParse({ kind: 'pkcs11', modulePath: '/m.so', tokenLabel: 't', keyLabel: 'k', pin: '1234' }).success).toBe(false);
  });

  it('takes the region from the ARN', () => {
    expect(parseKmsArn(awsSettings.keyArn)).toMatchObject({ region: 'eu-central-1', accountId: '111122223333', isAlias: true });
    expect(parseKmsArn('arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toMatchObject({ partition: 'aws-cn', isAlias: false });
  });

  it('names bad fields without echoing secret values', () => {
    const secret = 'pin-that-must-not-leak';
    try {
      createConnector({ kind: 'nope' }, { pin: secret });
      throw new Error('expected a KeystoreError');
    } catch (e) {
      expect(e).toBeInstanceOf(KeystoreError);
      expect((e as KeystoreError).code).toBe('invalid-config');
      expect((e as Error).message).not.toContain(secret);
    }
  });

  it('validates KMIP secrets (the client private key) before building the connector', () => {
    const settings = { kind: 'kmip', host: 'hsm.example', caCertPem: '-----BEGIN CERTIFICATE-----x', clientCertPem: '-----BEGIN CERTIFICATE-----y', keyUniqueIdentifier: '42' };
    expect(() => createConnector(settings, {})).toThrow(/clientKeyPem/);
    expect(() => createConnector(settings, { clientKeyPem: 'not a key' })).toThrow(/clientKeyPem/);
  });
});

describe('AWS error mapping', () => {
  const aws = (name: string, status = 400, message = '') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  it('classifies transient and permanent failures', () => {
    expect(mapAwsError(aws('UnrecognizedClientException'), 'kms', 'key-exists')).toMatchObject({ code: 'access-denied', step: 'authenticated', retryable: false });
    expect(mapAwsError(aws('NotFoundException'), 'kms', 'key-exists')).toMatchObject({ code: 'not-found', step: 'key-exists' });
    expect(mapAwsError(aws('KMSInvalidStateException', 400, 'arn is pending deletion'), 'kms', 'round-trip')).toMatchObject({ code: 'pending-deletion', step: 'enabled' });
    expect(mapAwsError(aws('ThrottlingException'), 'kms', 'round-trip')).toMatchObject({ code: 'throttled', retryable: true });
    expect(mapAwsError(aws('KMSInternalException', 500), 'kms', 'round-trip')).toMatchObject({ code: 'internal', retryable: true });
    expect(mapAwsError(aws('InvalidCiphertextException'), 'kms', 'round-trip')).toMatchObject({ code: 'crypto-failure', retryable: false });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(mapAwsError(refused, 'kms', 'key-exists')).toMatchObject({ code: 'unreachable', step: 'reachable', retryable: true });
  });
});

describe('PKCS#11 error mapping', () => {
  const ckr = (name: string) => new Error(`${name}:0 C_Login`);
  it('maps CKR codes to steps and codes', () => {
    expect(mapPkcs11Error(ckr('CKR_PIN_INCORRECT'), 'authenticated')).toMatchObject({ code: 'access-denied', step: 'authenticated', retryable: false });
    expect(mapPkcs11Error(ckr('CKR_TOKEN_NOT_PRESENT'), 'round-trip')).toMatchObject({ code: 'unreachable', step: 'reachable', retryable: true });
    expect(mapPkcs11Error(ckr('CKR_DEVICE_REMOVED'), 'round-trip')).toMatchObject({ code: 'unreachable', retryable: true });
    expect(mapPkcs11Error(ckr('CKR_KEY_FUNCTION_NOT_PERMITTED'), 'round-trip')).toMatchObject({ code: 'wrong-usage', step: 'usage' });
    expect(mapPkcs11Error(ckr('CKR_ENCRYPTED_DATA_INVALID'), 'round-trip')).toMatchObject({ code: 'crypto-failure' });
    expect(mapPkcs11Error(new Error('weird'), 'usage')).toMatchObject({ code: 'internal', step: 'usage' });
  });
});
