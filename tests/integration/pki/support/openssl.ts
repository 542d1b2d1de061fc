import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Runs the system `openssl` as an independent verifier of what the PKI builds. */
export function openssl(args: string[], input?: string | Buffer): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// Every temporary directory of the importing test file lives under one root, removed after it.
const root = mkdtempSync(path.join(tmpdir(), 'okcm-pki-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes files into a fresh temporary directory and returns their paths by name. */
export function files(contents: Record<string, string | Buffer>): Record<string, string> {
  const dir = tempDir();
  const out: Record<string, string> = {};
  for (const [name, body] of Object.entries(contents)) {
    out[name] = path.join(dir, name);
    writeFileSync(out[name], body, { mode: 0o600 });
  }
  return out;
}

export function tempDir(): string {
  return mkdtempSync(path.join(root, 'd-'));
}
