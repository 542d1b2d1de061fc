/**
 * Inline validation of what an administrator types. Each check returns the problem in words
 * the administrator can act on, or undefined when the value is fine. The API validates again;
 * these only spare a round trip and say precisely what is wrong.
 */

export type Check = (value: string) => string | undefined;

export const required =
  (what = 'This field'): Check =>
  (value) =>
    value.trim() ? undefined : `${what} is required.`;

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b'];
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT = /^\d{12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MULTI_REGION_KEY = /^mrk-[0-9a-f]{32}$/i;
const ALIAS_NAME = /^[A-Za-z0-9/_-]{1,250}$/;

export interface KmsArn {
  partition: string;
  region: string;
  accountId: string;
  resource: string;
  isAlias: boolean;
}

/** Splits a KMS key or alias ARN; undefined when it is not one. */
export function parseKmsArn(value: string): KmsArn | undefined {
  const parts = value.trim().split(':');
  if (parts.length !== 6) return undefined;
  const [arn, partition, service, region, accountId, resource] = parts as [string, string, string, string, string, string];
  if (arn !== 'arn' || service !== 'kms' || !PARTITIONS.includes(partition)) return undefined;
  if (!REGION.test(region) || !ACCOUNT.test(accountId)) return undefined;
  if (resource.startsWith('key/')) {
    const id = resource.slice(4);
    if (!UUID.test(id) && !MULTI_REGION_KEY.test(id)) return undefined;
    return { partition, region, accountId, resource, isAlias: false };
  }
  if (resource.startsWith('alias/') && ALIAS_NAME.test(resource.slice(6)) && !resource.startsWith('alias/aws/')) {
    return { partition, region, accountId, resource, isAlias: true };
  }
  return undefined;
}

/** Says which part of a KMS ARN is wrong, since "invalid ARN" alone helps nobody. */
export const kmsKeyArn: Check = (raw) => {
  const value = raw.trim();
  if (!value) return 'Enter the key ARN, e.g. arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab.';
  if (parseKmsArn(value)) return undefined;
  const parts = value.split(':');
  const shape = 'Expected arn:aws:kms:<region>:<account>:key/<key id> or …:alias/<name>.';
  if (parts[0] !== 'arn' || parts.length !== 6) return `This is not an ARN. ${shape}`;
  if (!PARTITIONS.includes(parts[1] ?? '')) return `Unknown AWS partition "${parts[1]}". ${shape}`;
  if (parts[2] !== 'kms') return `This ARN is for "${parts[2]}", not KMS. ${shape}`;
  if (!REGION.test(parts[3] ?? '')) return `"${parts[3]}" is not an AWS region (e.g. eu-central-1).`;
  if (!ACCOUNT.test(parts[4] ?? '')) return 'The account id must be 12 digits.';
  const resource = parts[5] ?? '';
  if (resource.startsWith('alias/aws/')) return 'AWS managed keys (alias/aws/…) cannot be used; create a customer managed key.';
  if (resource.startsWith('key/')) return 'The key id must be a UUID (or an mrk-… multi-region key id).';
  if (resource.startsWith('alias/')) return 'The alias name may contain letters, digits, "/", "_" and "-".';
  return `The ARN must end in key/<key id> or alias/<name>. ${shape}`;
};

export const awsRegion: Check = (value) =>
  !value.trim() || REGION.test(value.trim()) ? undefined : 'Enter an AWS region such as eu-central-1.';

export const iamRoleArn: Check = (value) =>
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value.trim())
    ? undefined
    : 'Expected an IAM role ARN: arn:aws:iam::<account>:role/<name>.';

export const externalId: Check = (value) => {
  const v = value.trim();
  if (v.length < 2 || v.length > 1224) return 'The external id must be 2 to 1224 characters.';
  return /^[\w+=,.@:/-]+$/.test(v) ? undefined : 'The external id may contain letters, digits and + = , . @ : / - _ only.';
};

export const accessKeyId: Check = (value) =>
  /^[A-Z0-9]{16,128}$/.test(value.trim()) ? undefined : 'An access key id is 16–128 upper-case letters and digits (AKIA… or ASIA…).';

export const httpUrl: Check = (value) => {
  const v = value.trim();
  if (!v) return undefined;
  try {
    const url = new URL(v);
    return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'Use an http:// or https:// URL.';
  } catch {
    return 'Enter a full URL, e.g. https://kms.eu-central-1.amazonaws.com.';
  }
};

export const httpsUrl: Check = (value) => {
  try {
    return new URL(value.trim()).protocol === 'https:' ? undefined : 'Use an https:// URL.';
  } catch {
    return 'Enter a full https:// URL.';
  }
};

const KEY_VAULT_PATH = /^\/keys\/([0-9A-Za-z-]{1,127})(?:\/([0-9A-Za-z]{1,64}))?\/?$/;

/** `https://<vault>.vault.azure.net/keys/<name>[/<version>]` (any host: sovereign clouds, private endpoints). */
export const keyVaultKeyUrl: Check = (raw) => {
  const value = raw.trim();
  const example = 'e.g. https://my-vault.vault.azure.net/keys/openkcm-l1';
  if (!value) return `Enter the key URL, ${example}.`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `This is not a URL; ${example}.`;
  }
  if (url.protocol !== 'https:') return 'Key Vault URLs start with https://.';
  if (url.search || url.hash) return 'Remove the query string or fragment from the key URL.';
  if (!KEY_VAULT_PATH.test(url.pathname)) {
    return 'The path must be /keys/<key name> or /keys/<key name>/<version>.';
  }
  return undefined;
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra ID directory: its GUID or one of its domain names (contoso.onmicrosoft.com). */
export const directoryId: Check = (value) => {
  const v = value.trim();
  if (GUID.test(v) || /^[0-9A-Za-z][0-9A-Za-z.-]{0,127}\.[A-Za-z]{2,}$/.test(v)) return undefined;
  return 'Enter the directory (tenant) id, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47, or its domain.';
};

/** Application (client) ids are GUIDs in Entra ID; emulators use other plain ids. */
export const clientId: Check = (value) =>
  /^[0-9A-Za-z-]{1,128}$/.test(value.trim()) ? undefined : 'Enter the application (client) id, e.g. 00000000-0000-0000-0000-000000000000.';

export const port: Check = (value) => {
  const v = value.trim();
  if (!/^\d+$/.test(v)) return 'Enter a port number from 1 to 65535.';
  const n = Number(v);
  return n >= 1 && n <= 65535 ? undefined : 'Ports range from 1 to 65535.';
};

export const hostname: Check = (value) => {
  const v = value.trim();
  if (!v) return 'Enter the host name or IP address of the KMIP server.';
  if (/[\s/:]/.test(v) && !/^\[?[0-9a-f:]+\]?$/i.test(v)) return 'Enter only the host name (no scheme, path or port).';
  return undefined;
};

export const absolutePath: Check = (value) =>
  value.trim().startsWith('/') ? undefined : 'Enter the absolute path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so.';

export const hexId: Check = (value) =>
  !value.trim() || /^([0-9a-fA-F]{2})+$/.test(value.trim()) ? undefined : 'CKA_ID is hex, two digits per byte (e.g. 0a1b).';

export const slotNumber: Check = (value) =>
  /^\d+$/.test(value.trim()) ? undefined : 'The slot is a whole number (0, 1, …).';

export type PemKind = 'certificate' | 'private-key' | 'csr';

const PEM_LABELS: Record<PemKind, string[]> = {
  certificate: ['CERTIFICATE'],
  'private-key': ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'],
  csr: ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'],
};

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** PEM shape: matching BEGIN/END labels of the expected kind and a base64 body. */
export const pem =
  (kind: PemKind, { multiple = false, allowEncrypted = false } = {}): Check =>
  (raw) => {
    const value = raw.trim();
    const expected = PEM_LABELS[kind];
    const primary = expected[0] ?? kind;
    const example = `-----BEGIN ${primary}-----`;
    if (!value) return `Paste or upload a PEM file starting with ${example}.`;
    if (!value.startsWith('-----BEGIN ')) return `PEM text starts with ${example}.`;
    const blocks = [...value.matchAll(PEM_BLOCK)];
    if (blocks.length === 0) return 'The PEM text is cut off: the -----END …----- line is missing.';
    if (!multiple && blocks.length > 1) return `Paste exactly one ${primary.toLowerCase()}.`;
    const leftover = value.replace(PEM_BLOCK, '').trim();
    if (leftover) return 'There is text outside the -----BEGIN/END----- lines.';
    for (const [, begin, body, end] of blocks) {
      if (begin !== end) return `BEGIN ${begin} does not match END ${end}.`;
      const encrypted = kind === 'private-key' && (begin === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(body ?? ''));
      if (encrypted && !allowEncrypted) return 'This private key is encrypted with a passphrase; enter the passphrase too, or use the unencrypted key.';
      if (!expected.includes(begin ?? '') && !(encrypted && begin === 'ENCRYPTED PRIVATE KEY')) {
        return `Expected ${expected.join(' or ')}, found ${begin}.`;
      }
      // Legacy encrypted PEM carries Proc-Type/DEK-Info headers before the base64.
      if (encrypted && begin !== 'ENCRYPTED PRIVATE KEY') continue;
      const base64 = (body ?? '').replace(/\s+/g, '');
      if (!base64 || base64.length % 4 !== 0 || !BASE64.test(base64)) return 'The text between BEGIN and END is not valid base64.';
    }
    return undefined;
  };

/** DNS-label-like service ids: they end up in certificates and SPIFFE ids. */
export const serviceId: Check = (value) =>
  /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value.trim())
    ? undefined
    : 'Use 1–63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.';

/** Runs checks in order and returns the first problem. */
export function firstProblem(value: string, ...checks: Check[]): string | undefined {
  for (const check of checks) {
    const problem = check(value);
    if (problem) return problem;
  }
  return undefined;
}
