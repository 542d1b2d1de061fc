import { describe, expect, it } from 'vitest';
import { clientId, directoryId, externalId, hostname, keyVaultKeyUrl, kmsKeyArn, parseKmsArn, pem, port, serviceId } from './validation';

const CERT = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUQ2VydGlmaWNhdGVPcGVuS0NNUm9vdDAKBggqhkjOPQQD
AjAYMRYwFAYDVQQDDA1PcGVuS0NNIFJvb3Q=
-----END CERTIFICATE-----`;

describe('kmsKeyArn', () => {
  it('accepts key and alias ARNs in every partition', () => {
    expect(kmsKeyArn('arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBeUndefined();
    expect(kmsKeyArn('arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab')).toBeUndefined();
    expect(kmsKeyArn('arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/openkcm/l1')).toBeUndefined();
    expect(kmsKeyArn(' arn:aws-cn:kms:cn-north-1:111122223333:alias/prod_key ')).toBeUndefined();
  });

  it('says which part of the ARN is wrong', () => {
    expect(kmsKeyArn('')).toMatch(/Enter the key ARN/);
    expect(kmsKeyArn('1234abcd-12ab-34cd-56ef-1234567890ab')).toMatch(/not an ARN/);
    expect(kmsKeyArn('arn:aws:s3:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toMatch(/for "s3", not KMS/);
    expect(kmsKeyArn('arn:aws:kms:europe:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toMatch(/not an AWS region/);
    expect(kmsKeyArn('arn:aws:kms:eu-central-1:1234:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe('The account id must be 12 digits.');
    expect(kmsKeyArn('arn:aws:kms:eu-central-1:111122223333:key/not-a-uuid')).toMatch(/UUID/);
    expect(kmsKeyArn('arn:aws:kms:eu-central-1:111122223333:alias/aws/ebs')).toMatch(/AWS managed keys/);
    expect(kmsKeyArn('arn:aws:kms:eu-central-1:111122223333:grant/x')).toMatch(/must end in key/);
    expect(kmsKeyArn('arn:foo:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toMatch(/partition/);
  });

  it('parses the region, account and alias out of an ARN', () => {
    expect(parseKmsArn('arn:aws:kms:ap-southeast-2:999988887777:alias/tenant-l1')).toEqual({
      partition: 'aws',
      region: 'ap-southeast-2',
      accountId: '999988887777',
      resource: 'alias/tenant-l1',
      isAlias: true,
    });
    expect(parseKmsArn('arn:aws:kms:eu-central-1:111122223333')).toBeUndefined();
  });
});

describe('keyVaultKeyUrl', () => {
  it('accepts key URLs with or without a version, on any https host', () => {
    expect(keyVaultKeyUrl('https://my-vault.vault.azure.net/keys/openkcm-l1')).toBeUndefined();
    expect(keyVaultKeyUrl('https://my-vault.vault.azure.net/keys/openkcm-l1/0123456789abcdef0123456789abcdef')).toBeUndefined();
    expect(keyVaultKeyUrl('https://hsm.managedhsm.azure.net/keys/k1/')).toBeUndefined();
    expect(keyVaultKeyUrl('https://vault.localhost:8443/keys/k1')).toBeUndefined();
  });

  it('rejects what Key Vault would not understand', () => {
    expect(keyVaultKeyUrl('')).toMatch(/Enter the key URL/);
    expect(keyVaultKeyUrl('my-vault/keys/k1')).toMatch(/not a URL/);
    expect(keyVaultKeyUrl('http://my-vault.vault.azure.net/keys/k1')).toMatch(/https/);
    expect(keyVaultKeyUrl('https://my-vault.vault.azure.net/secrets/k1')).toMatch(/\/keys\/<key name>/);
    expect(keyVaultKeyUrl('https://my-vault.vault.azure.net/keys/k1/v2/extra')).toMatch(/\/keys\/<key name>\/<version>/);
    expect(keyVaultKeyUrl('https://my-vault.vault.azure.net/keys/k1?api-version=7.4')).toMatch(/query string/);
  });
});

describe('pem', () => {
  it('accepts certificates, chains, keys and CSRs of the expected kind', () => {
    expect(pem('certificate')(CERT)).toBeUndefined();
    expect(pem('certificate', { multiple: true })(`${CERT}\n${CERT}`)).toBeUndefined();
    expect(pem('private-key')('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----')).toBeUndefined();
    expect(pem('csr')('-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----')).toBeUndefined();
  });

  it('explains what is wrong with the PEM text', () => {
    expect(pem('certificate')('')).toMatch(/Paste or upload/);
    expect(pem('certificate')('MIIBlTCC')).toMatch(/starts with -----BEGIN CERTIFICATE-----/);
    expect(pem('certificate')('-----BEGIN CERTIFICATE-----\nMIIB')).toMatch(/END .* missing/);
    expect(pem('certificate')(`${CERT}\n${CERT}`)).toMatch(/exactly one/);
    expect(pem('certificate')('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----')).toMatch(/Expected CERTIFICATE, found PRIVATE KEY/);
    expect(pem('certificate')('-----BEGIN CERTIFICATE-----\nMIIB\n-----END PRIVATE KEY-----')).toMatch(/does not match/);
    expect(pem('certificate')('-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----')).toMatch(/not valid base64/);
    expect(pem('certificate')(`${CERT}\ntrailing words`)).toMatch(/outside/);
    expect(pem('private-key')('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----')).toMatch(/passphrase/);
  });
});

describe('small checks', () => {
  it('checks port ranges', () => {
    expect(port('5696')).toBeUndefined();
    expect(port('1')).toBeUndefined();
    expect(port('65535')).toBeUndefined();
    expect(port('0')).toMatch(/1 to 65535/);
    expect(port('65536')).toMatch(/1 to 65535/);
    expect(port('56a')).toMatch(/port number/);
    expect(port('')).toMatch(/port number/);
  });

  it('checks Entra ids', () => {
    expect(directoryId('72f988bf-86f1-41af-91ab-2d7cd011db47')).toBeUndefined();
    expect(directoryId('contoso.onmicrosoft.com')).toBeUndefined();
    expect(directoryId('not a tenant')).toMatch(/GUID/);
    expect(clientId('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(clientId('')).toMatch(/client\) id/);
  });

  it('checks host names, external ids and service ids', () => {
    expect(hostname('hsm.example.com')).toBeUndefined();
    expect(hostname('10.0.0.5')).toBeUndefined();
    expect(hostname('https://hsm.example.com')).toMatch(/only the host name/);
    expect(hostname('hsm:5696')).toMatch(/only the host name/);
    expect(externalId('openkcm-1234')).toBeUndefined();
    expect(externalId('x')).toMatch(/2 to 1224/);
    expect(externalId('has space')).toMatch(/may contain/);
    expect(serviceId('mongodb-prod')).toBeUndefined();
    expect(serviceId('MongoDB')).toMatch(/lower-case/);
    expect(serviceId('-bad')).toMatch(/lower-case/);
  });
});
