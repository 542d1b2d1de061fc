import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreatePlatformKey, parsePlatformKeys, PlatformKeyError } from './platform-key.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'okcm-pk-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('loadOrCreatePlatformKey', () => {
  it('creates a 0600 file with 32 random bytes once, then keeps reading the same key', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'nested', 'platform.key');
    const first = await loadOrCreatePlatformKey(file);
    expect(first.current).toHaveLength(32);
    expect(first.previous).toEqual([]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreatePlatformKey(file);
    expect(again.current.equals(first.current)).toBe(true);
  });

  it('ends with one key when many starters race', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'platform.key');
    const results = await Promise.all(Array.from({ length: 20 }, () => loadOrCreatePlatformKey(file)));
    const onDisk = parsePlatformKeys(await readFile(file, 'utf8'));
    for (const r of results) expect(r.current.equals(onDisk.current)).toBe(true);
  });

  it('reads retired keys after the current one and rejects bad content without quoting it', async () => {
    const a = Buffer.alloc(32, 1).toString('base64');
    const b = Buffer.alloc(32, 2).toString('base64');
    const keys = parsePlatformKeys(`# rotated\n${a}\n\n${b}\n`);
    expect(keys.current.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(keys.previous).toHaveLength(1);

    const dir = await tempDir();
    const file = path.join(dir, 'platform.key');
    await writeFile(file, 'c2VjcmV0LXNob3J0\n');
    await expect(loadOrCreatePlatformKey(file)).rejects.toThrow(PlatformKeyError);
    await expect(loadOrCreatePlatformKey(file)).rejects.not.toThrow(/c2VjcmV0/);
    expect(() => parsePlatformKeys('\n# nothing\n')).toThrow(/no key/);
  });
});
