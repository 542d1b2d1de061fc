import { parseKmsArn } from './validation';

/**
 * The IAM policy an administrator attaches to the principal OpenKCM uses: describe the key,
 * and encrypt/decrypt only with this tenant's encryption context (the AWS connector binds
 * `openkcm:tenant` into every Encrypt/Decrypt, so a stolen credential cannot use the key
 * for anything else). DescribeKey carries no encryption context, so it gets its own statement.
 */
export function iamPolicyFor(keyArn: string, tenantId: string): string {
  const arn = parseKmsArn(keyArn);
  const placeholder = 'arn:aws:kms:<region>:<account>:key/<key id>';
  let resource = arn ? keyArn.trim() : placeholder;
  let aliasCondition: Record<string, unknown> | undefined;
  if (arn?.isAlias) {
    // An alias is not a resource for Encrypt/Decrypt; match the key through its alias instead.
    resource = `arn:${arn.partition}:kms:${arn.region}:${arn.accountId}:key/*`;
    aliasCondition = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': arn.resource } };
  }
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OpenKCMDescribeL1Key',
        Effect: 'Allow',
        Action: 'kms:DescribeKey',
        Resource: resource,
        ...(aliasCondition ? { Condition: aliasCondition } : {}),
      },
      {
        Sid: 'OpenKCMWrapTenantKeys',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: resource,
        Condition: {
          StringEquals: { 'kms:EncryptionContext:openkcm:tenant': tenantId || '<tenant id>' },
          ...(aliasCondition ?? {}),
        },
      },
    ],
  };
  return JSON.stringify(policy, null, 2);
}
