import { describe, expect, it } from 'vitest';
import { clearSecrets, emptyL1Form, formFieldForApiPath, formFingerprint, regionFromArn, toConfigInput, validateL1Form } from './l1-form';

const ARN = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function awsForm() {
  const form = emptyL1Form('aws-kms');
  form.label = 'Prod';
  form.aws.keyArn = ARN;
  form.aws.region = 'eu-central-1';
  form.aws.accessKeyId = 'AKIAIOSFODNN7EXAMPLE';
  form.aws.secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  return form;
}

describe('the Master Key Configuration form', () => {
  it('validates only the chosen kind', () => {
    const form = emptyL1Form('pkcs11');
    expect(Object.keys(validateL1Form(form)).sort()).toEqual(['label', 'pkcs11.keyLabel', 'pkcs11.modulePath', 'pkcs11.pin', 'pkcs11.tokenLabel']);
    form.pkcs11.tokenBy = 'slot';
    expect(validateL1Form(form)['pkcs11.slot']).toMatch(/whole number/);
    expect(validateL1Form(form)['pkcs11.tokenLabel']).toBeUndefined();
  });

  it('requires access keys only when they are used', () => {
    const form = awsForm();
    expect(validateL1Form(form)).toEqual({});
    form.aws.auth = 'role';
    form.aws.accessKeyId = '';
    form.aws.secretAccessKey = '';
    expect(Object.keys(validateL1Form(form))).toEqual(['aws.roleArn', 'aws.externalId']);
    form.aws.roleArn = 'arn:aws:iam::111122223333:role/openkcm';
    form.aws.externalId = 'openkcm-abc';
    expect(validateL1Form(form)).toEqual({});
    form.aws.roleWithAccessKeys = true;
    expect(Object.keys(validateL1Form(form))).toEqual(['aws.accessKeyId', 'aws.secretAccessKey']);
  });

  it('refuses a region that differs from the key ARN', () => {
    const form = awsForm();
    form.aws.region = 'us-east-1';
    expect(validateL1Form(form)['aws.region']).toMatch(/in eu-central-1/);
    expect(regionFromArn(ARN)).toBe('eu-central-1');
  });

  it('checks KMIP ports and PEM fields', () => {
    const form = emptyL1Form('kmip');
    form.kmip.port = '99999';
    const errors = validateL1Form(form);
    expect(errors['kmip.port']).toMatch(/1 to 65535/);
    expect(errors['kmip.caCertPem']).toMatch(/BEGIN CERTIFICATE/);
    expect(errors['kmip.clientKeyPem']).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('builds the request body of docs/api.md for each kind', () => {
    expect(toConfigInput(awsForm())).toEqual({
      kind: 'aws-kms',
      label: 'Prod',
      settings: { keyArn: ARN, region: 'eu-central-1', roleArn: undefined, externalId: undefined, endpoint: undefined },
      secrets: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: undefined },
    });

    const role = awsForm();
    role.aws.auth = 'role';
    role.aws.roleArn = 'arn:aws:iam::111122223333:role/openkcm';
    role.aws.externalId = 'ext';
    expect(toConfigInput(role).secrets).toEqual({});
    expect(toConfigInput(role).settings).toMatchObject({ roleArn: 'arn:aws:iam::111122223333:role/openkcm', externalId: 'ext' });

    const hsm = emptyL1Form('pkcs11');
    Object.assign(hsm.pkcs11, { modulePath: '/usr/lib/softhsm/libsofthsm2.so', tokenBy: 'slot', slot: '3', tokenLabel: 'ignored', keyLabel: 'l1', pin: '1234' });
    hsm.label = 'HSM';
    expect(toConfigInput(hsm)).toEqual({
      kind: 'pkcs11',
      label: 'HSM',
      settings: { modulePath: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: undefined, slot: 3, keyLabel: 'l1', mechanism: undefined },
      secrets: { pin: '1234' },
    });

    const kmip = emptyL1Form('kmip');
    Object.assign(kmip.kmip, { host: ' hsm ', port: '5696', keyId: 'k', caCertPem: 'ca', clientCertPem: 'cert', clientKeyPem: 'key' });
    expect(toConfigInput(kmip)).toMatchObject({ kind: 'kmip', settings: { host: 'hsm', port: 5696 }, secrets: { clientKeyPem: 'key' } });

    const azure = emptyL1Form('azure-keyvault');
    Object.assign(azure.azure, { keyUrl: 'https://v.vault.azure.net/keys/k', tenantDirectoryId: 't', clientId: 'c', clientSecret: 's', algorithm: 'A256KW' });
    expect(toConfigInput(azure)).toMatchObject({ kind: 'azure-keyvault', settings: { algorithm: 'A256KW' }, secrets: { clientSecret: 's' } });
  });

  it('fingerprints exactly what would be sent', () => {
    const a = awsForm();
    const b = awsForm();
    expect(formFingerprint(a)).toBe(formFingerprint(b));
    // Fields of other kinds do not count …
    b.pkcs11.pin = 'other';
    expect(formFingerprint(a)).toBe(formFingerprint(b));
    // … but every sent field, secrets included, does.
    b.aws.secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ';
    expect(formFingerprint(a)).not.toBe(formFingerprint(b));
    // The fingerprint does not contain the secret.
    expect(formFingerprint(a)).not.toContain('wJalr');
  });

  it('maps API field paths onto form fields', () => {
    expect(formFieldForApiPath('aws-kms', 'settings.keyArn')).toBe('aws.keyArn');
    expect(formFieldForApiPath('aws-kms', 'secrets.secretAccessKey')).toBe('aws.secretAccessKey');
    expect(formFieldForApiPath('pkcs11', 'settings.slotIndex')).toBe('pkcs11.slot');
    expect(formFieldForApiPath('kmip', 'label')).toBe('label');
    expect(formFieldForApiPath('kmip', 'settings.credentials.type')).toBeUndefined();
  });

  it('forgets secrets', () => {
    const form = awsForm();
    form.pkcs11.pin = '1234';
    form.kmip.clientKeyPem = 'key';
    clearSecrets(form);
    expect([form.aws.secretAccessKey, form.pkcs11.pin, form.kmip.clientKeyPem, form.azure.clientSecret]).toEqual(['', '', '', '']);
    expect(form.aws.keyArn).toBe(ARN);
  });
});
