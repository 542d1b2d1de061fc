import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StackConfig } from '../config.js';
import type { ServerSpec } from '../supervisor.js';

export const localKmsRegion = 'eu-central-1';
export const localKmsAccountId = '111122223333';
export const demoKeyAlias = 'alias/openkcm-demo';

export function localKmsEndpoint(config: StackConfig): string {
  return `http://127.0.0.1:${config.ports.localKms}`;
}

/** A client for local-kms; it accepts any credentials, so fixed dummy ones are used. */
export function localKmsClient(endpoint: string): KMSClient {
  return new KMSClient({
    endpoint,
    region: localKmsRegion,
    credentials: { accessKeyId: 'openkcm-dev', secretAccessKey: 'openkcm-dev' },
    maxAttempts: 1,
  });
}

/**
 * The seed file local-kms reads at start: one symmetric ENCRYPT_DECRYPT key behind
 * `alias/openkcm-demo`. Its material is random per data directory and written once;
 * local-kms never overwrites a key that already exists, so re-seeding is harmless.
 */
async function ensureSeed(dir: string): Promise<string> {
  const seed = path.join(dir, 'seed.yaml');
  if (existsSync(seed)) return seed;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyId = randomUUID();
  const material = randomBytes(32);
  const yaml = [
    'Keys:',
    '  Symmetric:',
    '    Aes:',
    '      - Metadata:',
    `          KeyId: ${keyId}`,
    '          Description: OpenKCM demo L1 key (BYOK through the AWS KMS API)',
    '        BackingKeys:',
    `          - ${material.toString('hex')}`,
    'Aliases:',
    `  - AliasName: ${demoKeyAlias}`,
    `    TargetKeyId: ${keyId}`,
    '',
  ].join('\n');
  material.fill(0);
  await writeFile(seed, yaml, { mode: 0o600 });
  return seed;
}

/** local-kms with the demo key; `demoKeyArn()` is known once it is ready. */
export async function localKmsServer(config: StackConfig, binary: string): Promise<ServerSpec & { demoKeyArn: () => string }> {
  const dir = path.join(config.dataDir, 'local-kms');
  const seed = await ensureSeed(dir);
  let arn = '';
  return {
    name: 'local-kms',
    title: 'local-kms',
    command: binary,
    args: [],
    env: {
      ...process.env,
      PORT: String(config.ports.localKms),
      KMS_REGION: localKmsRegion,
      KMS_ACCOUNT_ID: localKmsAccountId,
      KMS_SEED_PATH: seed,
      KMS_DATA_PATH: path.join(dir, 'data'),
    },
    readyTimeoutMs: 30_000,
    ready: async () => {
      const client = localKmsClient(localKmsEndpoint(config));
      try {
        const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: demoKeyAlias }));
        arn = KeyMetadata?.Arn ?? '';
        return arn !== '';
      } finally {
        client.destroy();
      }
    },
    demoKeyArn: () => arn,
  };
}
