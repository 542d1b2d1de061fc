import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureStackSecrets } from './secrets.js';

describe('ensureStackSecrets', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'openkcm-secrets-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates two different 32-byte secrets, readable only by the owner', async () => {
    const secrets = await ensureStackSecrets(dir);
    const platform = Buffer.from((await readFile(secrets.platformKeyFile, 'utf8')).trim(), 'base64');
    const webhook = Buffer.from((await readFile(secrets.webhookSecretFile, 'utf8')).trim(), 'base64');
    expect(platform).toHaveLength(32);
    expect(webhook).toHaveLength(32);
    expect(platform.equals(webhook)).toBe(false);
    expect((await stat(secrets.platformKeyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(secrets.platformKeyFile))).mode & 0o777).toBe(0o700);
  });

  it('keeps existing secrets on the next start', async () => {
    const first = await ensureStackSecrets(dir);
    const before = await readFile(first.platformKeyFile, 'utf8');
    const second = await ensureStackSecrets(dir);
    expect(await readFile(second.platformKeyFile, 'utf8')).toBe(before);
  });
});
