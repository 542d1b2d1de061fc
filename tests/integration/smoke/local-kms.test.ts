import { DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { stack } from '../../support/stack.js';

describe('local-kms through @aws-sdk/client-kms', () => {
  const kms = new KMSClient({
    endpoint: stack().localKms.endpoint,
    region: stack().localKms.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  afterAll(() => kms.destroy());

  it('has the seeded demo key, enabled for ENCRYPT_DECRYPT', async () => {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: stack().localKms.demoKeyAlias }));
    expect(KeyMetadata?.Arn).toBe(stack().localKms.demoKeyArn);
    expect(KeyMetadata?.KeyUsage).toBe('ENCRYPT_DECRYPT');
    expect(KeyMetadata?.Enabled).toBe(true);
  });

  it('encrypts and decrypts under an encryption context, and refuses a different context', async () => {
    const plaintext = randomBytes(32);
    const context = { tenant: 'acme', purpose: 'l2-wrap' };
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: stack().localKms.demoKeyArn, Plaintext: plaintext, EncryptionContext: context }),
    );
    expect(CiphertextBlob).toBeDefined();
    expect(Buffer.from(CiphertextBlob!).includes(plaintext)).toBe(false);

    const { Plaintext, KeyId } = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(Plaintext!)).toEqual(plaintext);
    expect(KeyId).toBe(stack().localKms.demoKeyArn);

    await expect(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'globex', purpose: 'l2-wrap' } }))).rejects.toThrow();
  });
});
