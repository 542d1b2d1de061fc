/**
 * The Master Key Configuration form as plain data: its state per keystore kind, its
 * validation, and the request body it becomes (docs/api.md "Settings and secrets per kind").
 */
import type { AzureKeyAlgorithm, KeystoreKind, L1ConfigInput, Pkcs11Mechanism } from '../api/types';
import { changeHash, stableStringify } from './hash';
import {
  absolutePath,
  accessKeyId,
  awsRegion,
  externalId,
  firstProblem,
  clientId,
  directoryId,
  hexId,
  hostname,
  httpUrl,
  httpsUrl,
  iamRoleArn,
  keyVaultKeyUrl,
  kmsKeyArn,
  parseKmsArn,
  pem,
  port,
  required,
  slotNumber,
} from './validation';

export interface AwsForm {
  keyArn: string;
  region: string;
  /** Once the administrator edits the region, the ARN stops overwriting it. */
  regionEdited: boolean;
  auth: 'access-keys' | 'role';
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  externalId: string;
  /** With a role: assume it with these access keys rather than OpenKCM's ambient credentials. */
  roleWithAccessKeys: boolean;
  endpoint: string;
}

export interface AzureForm {
  keyUrl: string;
  tenantDirectoryId: string;
  clientId: string;
  clientSecret: string;
  algorithm: '' | AzureKeyAlgorithm;
  authorityHost: string;
  caCertPem: string;
}

export interface Pkcs11Form {
  modulePath: string;
  tokenBy: 'label' | 'slot';
  tokenLabel: string;
  slot: string;
  keyLabel: string;
  keyId: string;
  pin: string;
  mechanism: '' | Pkcs11Mechanism;
}

export interface KmipForm {
  host: string;
  port: string;
  keyId: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clientKeyPassphrase: string;
  serverName: string;
}

export interface L1FormState {
  kind: KeystoreKind;
  label: string;
  aws: AwsForm;
  azure: AzureForm;
  pkcs11: Pkcs11Form;
  kmip: KmipForm;
}

/** Field errors keyed by form path, e.g. `aws.keyArn`. */
export type FieldErrors = Record<string, string>;

export function emptyL1Form(kind: KeystoreKind = 'aws-kms'): L1FormState {
  return {
    kind,
    label: '',
    aws: {
      keyArn: '',
      region: '',
      regionEdited: false,
      auth: 'access-keys',
      accessKeyId: '',
      secretAccessKey: '',
      sessionToken: '',
      roleArn: '',
      externalId: '',
      roleWithAccessKeys: false,
      endpoint: '',
    },
    azure: { keyUrl: '', tenantDirectoryId: '', clientId: '', clientSecret: '', algorithm: '', authorityHost: '', caCertPem: '' },
    pkcs11: { modulePath: '', tokenBy: 'label', tokenLabel: '', slot: '', keyLabel: '', keyId: '', pin: '', mechanism: '' },
    kmip: { host: '', port: '5696', keyId: '', caCertPem: '', clientCertPem: '', clientKeyPem: '', clientKeyPassphrase: '', serverName: '' },
  };
}

/** Which form group holds a kind's fields. */
export const FORM_GROUP: Record<KeystoreKind, 'aws' | 'azure' | 'pkcs11' | 'kmip'> = {
  'aws-kms': 'aws',
  'azure-keyvault': 'azure',
  pkcs11: 'pkcs11',
  kmip: 'kmip',
};

/** The region the ARN names, for pre-filling the region field. */
export function regionFromArn(keyArn: string): string | undefined {
  return parseKmsArn(keyArn)?.region;
}

function awsErrors(f: AwsForm): FieldErrors {
  const errors: FieldErrors = {};
  const set = (field: keyof AwsForm, problem: string | undefined) => {
    if (problem) errors[`aws.${field}`] = problem;
  };
  set('keyArn', kmsKeyArn(f.keyArn));
  set('region', awsRegion(f.region));
  const arnRegion = regionFromArn(f.keyArn);
  if (!errors['aws.region'] && arnRegion && f.region.trim() && f.region.trim() !== arnRegion) {
    errors['aws.region'] = `The key ARN is in ${arnRegion}; a KMS key can only be used in its own region.`;
  }
  set('endpoint', httpUrl(f.endpoint));
  const needsKeys = f.auth === 'access-keys' || f.roleWithAccessKeys;
  if (f.auth === 'role') {
    set('roleArn', iamRoleArn(f.roleArn));
    set('externalId', externalId(f.externalId));
  }
  if (needsKeys) {
    set('accessKeyId', accessKeyId(f.accessKeyId));
    set('secretAccessKey', f.secretAccessKey.trim().length >= 16 ? undefined : 'Enter the secret access key (40 characters for AWS).');
  }
  return errors;
}

function azureErrors(f: AzureForm): FieldErrors {
  const errors: FieldErrors = {};
  const set = (field: keyof AzureForm, problem: string | undefined) => {
    if (problem) errors[`azure.${field}`] = problem;
  };
  set('keyUrl', keyVaultKeyUrl(f.keyUrl));
  set('tenantDirectoryId', directoryId(f.tenantDirectoryId));
  set('clientId', clientId(f.clientId));
  set('clientSecret', required('The client secret')(f.clientSecret));
  if (f.authorityHost.trim()) set('authorityHost', httpsUrl(f.authorityHost));
  if (f.caCertPem.trim()) set('caCertPem', pem('certificate', { multiple: true })(f.caCertPem));
  return errors;
}

function pkcs11Errors(f: Pkcs11Form): FieldErrors {
  const errors: FieldErrors = {};
  const set = (field: keyof Pkcs11Form, problem: string | undefined) => {
    if (problem) errors[`pkcs11.${field}`] = problem;
  };
  set('modulePath', absolutePath(f.modulePath));
  if (f.tokenBy === 'label') {
    set('tokenLabel', firstProblem(f.tokenLabel, required('The token label'), (v) => (v.length > 32 ? 'Token labels are at most 32 characters.' : undefined)));
  } else {
    set('slot', slotNumber(f.slot));
  }
  set('keyLabel', required('The key label')(f.keyLabel));
  set('keyId', hexId(f.keyId));
  set('pin', required('The PIN')(f.pin));
  return errors;
}

function kmipErrors(f: KmipForm): FieldErrors {
  const errors: FieldErrors = {};
  const set = (field: keyof KmipForm, problem: string | undefined) => {
    if (problem) errors[`kmip.${field}`] = problem;
  };
  set('host', hostname(f.host));
  set('port', port(f.port));
  set('keyId', required('The key id (KMIP unique identifier)')(f.keyId));
  set('caCertPem', pem('certificate', { multiple: true })(f.caCertPem));
  set('clientCertPem', pem('certificate', { multiple: true })(f.clientCertPem));
  set('clientKeyPem', pem('private-key', { allowEncrypted: !!f.clientKeyPassphrase })(f.clientKeyPem));
  return errors;
}

export function validateL1Form(form: L1FormState): FieldErrors {
  const errors: FieldErrors = {};
  const label = form.label.trim();
  if (!label) errors.label = 'Give this configuration a name, e.g. "Production KMS key".';
  else if (label.length > 100) errors.label = 'Keep the name under 100 characters.';
  const byKind = { 'aws-kms': () => awsErrors(form.aws), 'azure-keyvault': () => azureErrors(form.azure), pkcs11: () => pkcs11Errors(form.pkcs11), kmip: () => kmipErrors(form.kmip) };
  return { ...errors, ...byKind[form.kind]() };
}

const opt = (value: string) => (value.trim() ? value.trim() : undefined);

/** The POST /api/l1/configs body for the chosen kind; fields of other kinds are left out. */
export function toConfigInput(form: L1FormState): L1ConfigInput {
  const label = form.label.trim();
  switch (form.kind) {
    case 'aws-kms': {
      const f = form.aws;
      const useKeys = f.auth === 'access-keys' || f.roleWithAccessKeys;
      return {
        kind: 'aws-kms',
        label,
        settings: {
          keyArn: f.keyArn.trim(),
          region: opt(f.region) ?? regionFromArn(f.keyArn),
          roleArn: f.auth === 'role' ? opt(f.roleArn) : undefined,
          externalId: f.auth === 'role' ? opt(f.externalId) : undefined,
          endpoint: opt(f.endpoint),
        },
        secrets: useKeys
          ? { accessKeyId: f.accessKeyId.trim(), secretAccessKey: f.secretAccessKey.trim(), sessionToken: opt(f.sessionToken) }
          : {},
      };
    }
    case 'azure-keyvault': {
      const f = form.azure;
      return {
        kind: 'azure-keyvault',
        label,
        settings: {
          keyUrl: f.keyUrl.trim(),
          tenantDirectoryId: f.tenantDirectoryId.trim(),
          clientId: f.clientId.trim(),
          algorithm: f.algorithm || undefined,
          authorityHost: opt(f.authorityHost),
          caCertPem: opt(f.caCertPem),
        },
        secrets: { clientSecret: f.clientSecret },
      };
    }
    case 'pkcs11': {
      const f = form.pkcs11;
      return {
        kind: 'pkcs11',
        label,
        settings: {
          modulePath: f.modulePath.trim(),
          tokenLabel: f.tokenBy === 'label' ? f.tokenLabel.trim() : undefined,
          slot: f.tokenBy === 'slot' ? Number(f.slot.trim()) : undefined,
          keyLabel: f.keyLabel.trim(),
          keyId: opt(f.keyId),
          mechanism: f.mechanism || undefined,
        },
        secrets: { pin: f.pin },
      };
    }
    case 'kmip': {
      const f = form.kmip;
      return {
        kind: 'kmip',
        label,
        settings: {
          host: f.host.trim(),
          port: Number(f.port.trim()),
          keyId: f.keyId.trim(),
          caCertPem: f.caCertPem.trim(),
          clientCertPem: f.clientCertPem.trim(),
          serverName: opt(f.serverName),
        },
        secrets: { clientKeyPem: f.clientKeyPem.trim(), clientKeyPassphrase: f.clientKeyPassphrase || undefined },
      };
    }
  }
}

/** Identifies "this exact configuration": a test result only counts for the form it was run on. */
export function formFingerprint(form: L1FormState): string {
  return changeHash(stableStringify(toConfigInput(form)));
}

/** Maps an API field path (`settings.keyArn`, `secrets.pin`, `label`) onto the form's field. */
export function formFieldForApiPath(kind: KeystoreKind, apiPath: string): string | undefined {
  if (apiPath === 'label') return 'label';
  const name = apiPath.replace(/^(settings|secrets)\./, '').split('.')[0];
  if (!name) return undefined;
  const group = FORM_GROUP[kind];
  const fields = Object.keys(emptyL1Form()[group]);
  if (fields.includes(name)) return `${group}.${name}`;
  if (kind === 'pkcs11' && name === 'slotIndex') return 'pkcs11.slot';
  return undefined;
}

/** Forgets every secret the form holds (after activation, or when leaving the page). */
export function clearSecrets(form: L1FormState): void {
  form.aws.accessKeyId = '';
  form.aws.secretAccessKey = '';
  form.aws.sessionToken = '';
  form.azure.clientSecret = '';
  form.pkcs11.pin = '';
  form.kmip.clientKeyPem = '';
  form.kmip.clientKeyPassphrase = '';
}
