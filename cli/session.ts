import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import { call } from './http.js';

/**
 * The tenant administrator the CLI acts as. `tenant create` saves the initial credentials to
 * `<dataDir>/credentials/<tenant>.json` (0600, directory 0700); tenant-scoped commands log in
 * with them unless --username/--password (or OPENKCM_USERNAME/OPENKCM_PASSWORD) are given.
 */
export interface SavedCredentials {
  tenantId: string;
  username: string;
  password: string;
  apiUrl: string;
  savedAt: string;
}

export async function saveCredentials(file: string, credentials: SavedCredentials): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

export async function loadCredentials(file: string): Promise<SavedCredentials | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SavedCredentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

export interface LoginOptions {
  tenantId: string;
  username?: string;
  password?: string;
}

export async function login(ctx: CliContext, options: LoginOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  let username = options.username ?? env.OPENKCM_USERNAME;
  let password = options.password ?? env.OPENKCM_PASSWORD;
  if (!username || !password) {
    const saved = await loadCredentials(ctx.credentialsFile(options.tenantId));
    if (!saved) {
      throw new CliError(
        `no credentials for tenant ${options.tenantId}: pass --username and --password, or create the tenant with this CLI (it saves ${ctx.credentialsFile(options.tenantId)})`,
      );
    }
    username ??= saved.username;
    password ??= saved.password;
  }
  const response = await call<{ token: string }>(ctx.apiUrl, 'POST', '/api/auth/login', {
    body: { tenantId: options.tenantId, username, password },
  });
  return response.body.token;
}
