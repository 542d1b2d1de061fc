import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Platform } from '../../lib/runtime/platform.js';
import { l1SecretsAad } from '../../lib/tenants/l1-configs.js';
import { stack } from './stack.js';

/** local-kms checks no credentials; these only have to look like AWS keys. */
const ACCESS_KEY_ID = 'AKIAOPENKCMTESTKEY01';
const SECRET_ACCESS_KEY = 'openkcm-test-secret-access-key-0000';

export function localKmsClient(): KMSClient {
  const s = stack();
  return new KMSClient({
    endpoint: s.localKms.endpoint,
    region: s.localKms.region,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  });
}

/** A KMS key of the test's own, so disabling it affects nobody else. */
export async function createKmsKey(): Promise<{ arn: string; disable(): Promise<void>; enable(): Promise<void> }> {
  const kms = localKmsClient();
  const created = await kms.send(new CreateKeyCommand({ Description: 'openkcm test L1' }));
  const arn = created.KeyMetadata!.Arn!;
  return {
    arn,
    disable: async () => void (await kms.send(new DisableKeyCommand({ KeyId: arn }))),
    enable: async () => void (await kms.send(new EnableKeyCommand({ KeyId: arn }))),
  };
}

/** Stores an AWS KMS L1 configuration for a tenant the way the API does: secrets sealed. */
export async function storeAwsKmsConfig(platform: Platform, tenantId: string, keyArn: string): Promise<string> {
  const configId = platform.l1Configs.newId();
  await platform.l1Configs.insert({
    _id: configId,
    tenantId,
    kind: 'aws-kms',
    label: 'test key',
    settings: { keyArn, endpoint: stack().localKms.endpoint, credentials: { type: 'static', accessKeyId: ACCESS_KEY_ID } },
    sealedSecrets: platform.box.seal(JSON.stringify({ secretAccessKey: SECRET_ACCESS_KEY }), l1SecretsAad(tenantId, configId)),
    createdAt: new Date(),
    createdBy: 'test',
    state: 'draft',
  });
  return configId;
}
