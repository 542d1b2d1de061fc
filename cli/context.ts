import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readWebhookSecrets } from '../api/config.js';
import { CliError } from './errors.js';

/**
 * Where the stack is and how to talk to it. Flags win; then environment variables; then the
 * dev stack's `<dataDir>/stack.json`. The data directory also holds the credentials files
 * `tenant create` saves.
 */
export interface GlobalOptions {
  apiUrl?: string;
  dataDir?: string;
  webhookSecretFile?: string;
}

interface StackFile {
  api?: { url?: string };
  console?: { url?: string };
  secrets?: { webhookSecretFile?: string };
}

export interface CliContext {
  apiUrl: string;
  consoleUrl: string;
  dataDir: string;
  webhookSecret(): Promise<Buffer>;
  credentialsFile(tenantId: string): string;
}

export function resolveContext(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): CliContext {
  const dataDir = path.resolve(options.dataDir ?? env.OPENKCM_DATA_DIR ?? '.data');
  const stackPath = path.join(dataDir, 'stack.json');
  let stackFile: StackFile = {};
  if (existsSync(stackPath)) {
    try {
      stackFile = JSON.parse(readFileSync(stackPath, 'utf8')) as StackFile;
    } catch {
      throw new CliError(`${stackPath} is not valid JSON`);
    }
  }
  const apiUrl = (options.apiUrl ?? env.OPENKCM_API_URL ?? stackFile.api?.url ?? env.OPENKCM_PUBLIC_URL)?.replace(/\/+$/, '');
  if (!apiUrl) {
    throw new CliError(`no API endpoint: start the stack (npm start), pass --api-url, or set OPENKCM_API_URL (looked for ${stackPath})`);
  }
  const secretFile =
    options.webhookSecretFile ??
    env.OPENKCM_WEBHOOK_SECRET_FILE ??
    stackFile.secrets?.webhookSecretFile ??
    path.join(dataDir, 'webhook.secret');
  return {
    apiUrl,
    consoleUrl: (stackFile.console?.url ?? apiUrl).replace(/\/+$/, ''),
    dataDir,
    webhookSecret: () =>
      readWebhookSecrets(secretFile).then(
        ([current]) => current!,
        (error: unknown) => {
          throw new CliError(`${(error as Error).message} (pass --webhook-secret-file or set OPENKCM_WEBHOOK_SECRET_FILE)`);
        },
      ),
    credentialsFile: (tenantId) => path.join(dataDir, 'credentials', `${tenantId}.json`),
  };
}
