import { describe, expect, it } from 'vitest';
import { iamPolicyFor } from './iam-policy';

describe('iamPolicyFor', () => {
  it('grants DescribeKey, and Encrypt/Decrypt bound to the tenant encryption context, on that key', () => {
    const arn = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const policy = JSON.parse(iamPolicyFor(arn, 'acme'));
    expect(policy.Statement).toEqual([
      { Sid: 'OpenKCMDescribeL1Key', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: arn },
      {
        Sid: 'OpenKCMWrapTenantKeys',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: arn,
        Condition: { StringEquals: { 'kms:EncryptionContext:openkcm:tenant': 'acme' } },
      },
    ]);
  });

  it('matches an alias through kms:ResourceAliases, since an alias is not a resource', () => {
    const policy = JSON.parse(iamPolicyFor('arn:aws:kms:eu-west-1:111122223333:alias/openkcm', 'acme'));
    expect(policy.Statement[1].Resource).toBe('arn:aws:kms:eu-west-1:111122223333:key/*');
    expect(policy.Statement[1].Condition).toEqual({
      StringEquals: { 'kms:EncryptionContext:openkcm:tenant': 'acme' },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/openkcm' },
    });
  });

  it('shows placeholders until the ARN is valid', () => {
    expect(iamPolicyFor('arn:aws:kms:nope', '')).toContain('arn:aws:kms:<region>:<account>:key/<key id>');
    expect(iamPolicyFor('', '')).toContain('<tenant id>');
  });
});
