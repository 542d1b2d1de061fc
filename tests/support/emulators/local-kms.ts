import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedBinary, freePort, launch, portOpen, waitUntil } from './process.js';

export interface LocalKms {
  endpoint: string;
  region: string;
  accountId: string;
  stop(): Promise<void>;
}

export function localKmsBinary(): string {
  return cachedBinary('OPENKCM_LOCAL_KMS_BIN', 'local-kms@', 'local-kms', 'local-kms');
}

/** Starts local-kms on a random loopback port with its own data directory. */
export async function startLocalKms(options: { region?: string; accountId?: string } = {}): Promise<LocalKms> {
  const binary = localKmsBinary();
  const region = options.region ?? 'eu-central-1';
  const accountId = options.accountId ?? '111122223333';
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openkcm-local-kms-'));
  const logFile = path.join(dir, 'local-kms.log');
  const launched = launch(binary, [], {
    env: {
      PORT: String(port),
      KMS_REGION: region,
      KMS_ACCOUNT_ID: accountId,
      KMS_DATA_PATH: path.join(dir, 'data'),
      KMS_SEED_PATH: path.join(dir, 'no-seed.yaml'),
    },
    logFile,
  });
  await waitUntil('local-kms', launched, () => portOpen(port), 15_000, logFile);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    accountId,
    async stop() {
      await launched.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
