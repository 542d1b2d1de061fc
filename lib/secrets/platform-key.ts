import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * The platform key: 32 random bytes that seal every secret OpenKCM keeps at rest (keystore
 * credentials, CA private keys, one-time secrets). It lives in a file outside the store, so a
 * copy of the database alone reveals nothing.
 *
 * File format: one base64 key per line. The first line is the current key (used to seal);
 * any further lines are retired keys that may still open older sealed values. Rotation is:
 * prepend a new line, restart, re-seal (see `SecretBox.needsResealing`), then drop old lines.
 */
export const PLATFORM_KEY_BYTES = 32;

export interface PlatformKeys {
  readonly current: Buffer;
  readonly previous: readonly Buffer[];
}

export class PlatformKeyError extends Error {
  override readonly name = 'PlatformKeyError';
}

/**
 * Reads the platform key file, creating it (mode 0600, parent directory 0700) with a fresh key
 * when it does not exist. Creation is atomic and race-safe: the key is written to a private
 * temporary file and hard-linked into place, so a concurrent starter either wins the link or
 * reads the complete winner's file — never a half-written one.
 */
export async function loadOrCreatePlatformKey(file: string): Promise<PlatformKeys> {
  const existing = await readKeyFile(file);
  if (existing) return existing;

  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(PLATFORM_KEY_BYTES);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const text = Buffer.from(`${key.toString('base64')}\n`, 'utf8');
  try {
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another process created it first: theirs is the key.
      key.fill(0);
      const winner = await readKeyFile(file);
      if (!winner) throw new PlatformKeyError('platform key file vanished while it was being created');
      return winner;
    }
  } finally {
    text.fill(0);
    await unlink(tmp).catch(() => undefined);
  }
  return { current: key, previous: [] };
}

async function readKeyFile(file: string): Promise<PlatformKeys | undefined> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PlatformKeyError(`cannot read platform key file ${file}: ${(error as Error).message}`);
  }
  try {
    return parsePlatformKeys(raw.toString('utf8'), file);
  } finally {
    raw.fill(0);
  }
}

/** Parses the file content; errors name the file and line, never the content. */
export function parsePlatformKeys(text: string, source = 'platform key'): PlatformKeys {
  const keys: Buffer[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!/^[A-Za-z0-9+/]{43}=$/.test(line)) {
      for (const k of keys) k.fill(0);
      throw new PlatformKeyError(
        `${source}, line ${i + 1}: expected ${PLATFORM_KEY_BYTES} bytes in base64 (44 characters)`,
      );
    }
    keys.push(Buffer.from(line, 'base64'));
  }
  const [current, ...previous] = keys;
  if (!current) throw new PlatformKeyError(`${source}: no key in file`);
  return { current, previous };
}
