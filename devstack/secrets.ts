import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A file holding 32 random bytes in base64, created once with mode 0600 and then kept,
 * because data encrypted under it (keystore credentials, CA keys) must stay readable.
 */
export async function ensureSecretFile(file: string): Promise<string> {
  if (existsSync(file)) return file;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  await writeFile(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  secret.fill(0);
  return file;
}

export interface StackSecrets {
  platformKeyFile: string;
  webhookSecretFile: string;
}

export async function ensureStackSecrets(dataDir: string): Promise<StackSecrets> {
  const dir = path.join(dataDir, 'secrets');
  return {
    platformKeyFile: await ensureSecretFile(path.join(dir, 'platform.key')),
    webhookSecretFile: await ensureSecretFile(path.join(dir, 'webhook.secret')),
  };
}
