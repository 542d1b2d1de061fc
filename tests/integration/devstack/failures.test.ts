import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, probePort } from '../../../devstack/free-port.js';
import { repoRoot } from '../../../devstack/paths.js';

/** Runs `npm start`'s supervisor with the given environment until it exits. */
function runStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'devstack', 'cli.ts'), 'start'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Free ports for every server, so these runs never touch a real `npm start`. */
async function portEnv(): Promise<Record<string, string>> {
  const names = ['TEMPORAL', 'TEMPORAL_UI', 'MONGODB', 'LOCAL_KMS', 'KMIP', 'KMIP_ADMIN', 'API', 'PYKMIP', 'LOWKEY_VAULT'];
  const env: Record<string, string> = {};
  for (const name of names) env[`OPENKCM_${name}_PORT`] = String(await freePort());
  return env;
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

describe('npm start failures', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a taken port: one line naming port and fix, exit 1, nothing started', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'openkcm-fail-'));
    dirs.push(dataDir);
    const env = await portEnv();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.OPENKCM_MONGODB_PORT), '127.0.0.1', resolve));
    try {
      const result = await runStart({ ...env, OPENKCM_DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      expect(lastLine(result.stderr)).toBe(
        `openkcm: port ${env.OPENKCM_MONGODB_PORT} (FerretDB (MongoDB wire protocol)) is already in use. Fix: stop the process listening there (\`ss -ltnp 'sport = :${env.OPENKCM_MONGODB_PORT}'\` names it) or set OPENKCM_MONGODB_PORT to a free port`,
      );
      expect(await probePort(Number(env.OPENKCM_TEMPORAL_PORT))).toBeUndefined();
    } finally {
      blocker.close();
    }
  });

  it('a server failing mid-start: its log tail, one line, exit 1, everything already started is stopped', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'openkcm-fail-'));
    dirs.push(dataDir);
    // A file where FerretDB wants its directory makes FerretDB exit while Temporal and
    // local-kms are coming up beside it.
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'ferretdb'), 'not a directory');
    const env = await portEnv();

    const result = await runStart({ ...env, OPENKCM_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toMatch(/^openkcm: FerretDB exited during start \(status 1\)\. Fix: read .*ferretdb\.log$/);
    expect(result.stderr).toContain('not a directory');

    const registry = JSON.parse(await readFile(path.join(dataDir, 'run', 'processes.json'), 'utf8')) as { processes: { pid: number }[] };
    expect(registry.processes).toEqual([]);
    for (const name of ['TEMPORAL', 'LOCAL_KMS', 'API']) {
      expect(await probePort(Number(env[`OPENKCM_${name}_PORT`])), `${name} port released`).toBeUndefined();
    }
  });
});
