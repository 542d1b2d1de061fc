import { z } from 'zod';

/** `arn:<partition>:kms:<region>:<account>:key/<id>` or `...:alias/<name>`. */
const KMS_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):kms:([a-z]{2}(-[a-z]+)+-\d):(\d{12}):(key\/[A-Za-z0-9-]{1,128}|alias\/[A-Za-z0-9/_-]{1,250})$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

const staticCredentials = z.object({
  type: z.literal('static'),
  /** An identifier, not a secret (it appears in CloudTrail); the secret half lives in AwsKmsSecrets. */
  accessKeyId: z.string().regex(ACCESS_KEY_ID, 'must look like an AWS access key id (AKIA…/ASIA…)'),
});

const assumeRoleCredentials = z.object({
  type: z.literal('assume-role'),
  roleArn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN'),
  /** The customer's confused-deputy guard; AWS documents it as non-secret. */
  externalId: z.string().min(2).max(1224).regex(/^[\w+=,.@:/-]+$/, 'has characters AWS does not allow'),
  sessionName: z.string().min(2).max(64).regex(/^[\w+=,.@-]+$/).default('openkcm'),
  /** Who assumes the role: OpenKCM's own static key (secrets.secretAccessKey) or the SDK's default chain. */
  source: z.discriminatedUnion('type', [staticCredentials, z.object({ type: z.literal('default') })]).default({ type: 'default' }),
  /** Override for STS (VPC endpoint, or a test endpoint). Defaults to the regional STS endpoint. */
  stsEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  durationSeconds: z.number().int().min(900).max(43200).default(3600),
});

export const awsKmsSettingsSchema = z.object({
  kind: z.literal('aws-kms'),
  /** Key ARN or alias ARN; the region is taken from it. */
  keyArn: z.string().regex(KMS_ARN, 'must be a KMS key ARN or alias ARN'),
  /** Override for KMS (VPC endpoint, local-kms). */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  credentials: z.discriminatedUnion('type', [staticCredentials, assumeRoleCredentials]),
  timeoutMs: z.number().int().min(50).max(60_000).default(5_000),
  /** SDK attempts per call; workflows retry on top, so keep this small. */
  maxAttempts: z.number().int().min(1).max(5).default(2),
  })
  // Unknown fields are refused, so a secret pasted into settings is never stored in clear.
  .strict();

export const awsKmsSecretsSchema = z.object({
  secretAccessKey: z.string().min(16, 'is too short for an AWS secret access key').optional(),
  sessionToken: z.string().min(1).optional(),
});

export type AwsKmsSettings = z.output<typeof awsKmsSettingsSchema>;
export type AwsKmsSettingsInput = z.input<typeof awsKmsSettingsSchema>;
export type AwsKmsSecrets = z.output<typeof awsKmsSecretsSchema>;

export interface ParsedKmsArn {
  partition: string;
  region: string;
  accountId: string;
  resource: string;
  isAlias: boolean;
}

export function parseKmsArn(arn: string): ParsedKmsArn {
  const match = KMS_ARN.exec(arn);
  if (!match) throw new Error('not a KMS ARN');
  const [, partition, region, , accountId, resource] = match as unknown as [string, string, string, string, string, string];
  return { partition, region, accountId, resource, isAlias: resource.startsWith('alias/') };
}

/** Whether the settings need secrets.secretAccessKey (static keys, or a static key assuming a role). */
export function needsSecretAccessKey(settings: AwsKmsSettings): boolean {
  return settings.credentials.type === 'static' || settings.credentials.source.type === 'static';
}
