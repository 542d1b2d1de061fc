import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { venvPython } from '../../../clients/kmip/testing/pykmip.js';
import type { KmipTestEnv } from './support.js';
import { startEnv, unavailable } from './support.js';

/**
 * The clients MongoDB deployments actually use, unmodified, against the real server:
 * PyKMIP's ProxyKmipClient, and libmongocrypt through pymongo's ClientEncryption with the
 * `kmip` KMS provider (key vault in the harness's FerretDB), in both of its modes.
 */
const run = promisify(execFile);
const PYTHON = process.env.OPENKCM_PYTHON ?? venvPython();
const here = path.join(import.meta.dirname, 'python');
const skip = unavailable() ?? (existsSync(PYTHON) ? undefined : `no Python with pymongo/pykmip at ${PYTHON}`);
let env: KmipTestEnv;

beforeAll(async () => {
  if (!skip) env = await startEnv();
});
afterAll(async () => {
  await env?.h.stop();
});

async function python(script: string, args: string[], stdin?: string): Promise<Record<string, unknown>> {
  const child = run(PYTHON, [path.join(here, script), ...args], { timeout: 60_000, maxBuffer: 1 << 20 });
  if (stdin !== undefined) {
    child.child.stdin!.end(stdin);
  }
  const { stdout } = await child;
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe.skipIf(skip)("PyKMIP's ProxyKmipClient", () => {
  it('drives a full lifecycle: create, get while Pre-Active, attributes, activate, locate, encrypt/decrypt, register, revoke, destroy', async () => {
    const c = env.clientA;
    const out = await python('pykmip_lifecycle.py', ['127.0.0.1', String(env.h.server.port), c.files.cert, c.files.key, c.files.ca]);
    expect(out.getPreActive).toEqual({ length: 256, algorithm: 'AES', bytes: 32 });
    expect(out.attributesBefore).toMatchObject({ State: 'State.PRE_ACTIVE', 'Cryptographic Algorithm': 'CryptographicAlgorithm.AES', Name: 'pykmip-lifecycle' });
    expect(out.stateAfterActivate).toBe('State.ACTIVE');
    expect(out.attributeList).toContain('Digest');
    expect(out.locate).toEqual([out.create]);
    expect(out.roundTrip).toBe('sixteen byte msg');
    expect(out.registeredSecret).toBe('2a'.repeat(32));
    expect(out.destroyWhileActive).toMatch(/PERMISSION_DENIED/);
    expect(out.stateAfterRevoke).toBe('State.DEACTIVATED');
    expect(out.stateAfterDestroy).toBe('State.DESTROYED');
  });
});

describe.skipIf(skip)('libmongocrypt (pymongo ClientEncryption, kmip KMS provider)', () => {
  const cases: Array<[string, string]> = [
    ['default (Register SecretData / Activate / Get)', ''],
    ['delegated (Create / Activate / Encrypt / Decrypt)', 'delegated'],
  ];
  const made: Record<string, { ciphertext: string; keyId: string }> = {};

  for (const [name, mode] of cases) {
    it(`${name}: creates a data key, encrypts and decrypts`, async () => {
      const c = env.clientA;
      const out = await python('libmongocrypt_client.py', ['create', env.h.mongoUri, `127.0.0.1:${env.h.server.port}`, c.files.ca, c.files.combined, mode]);
      expect(out.plaintext).toBe('OpenKCM secret value');
      expect(out.masterKey).toMatchObject({ provider: 'kmip', ...(mode ? { delegated: true } : {}) });
      made[mode] = { ciphertext: out.ciphertext as string, keyId: out.keyId as string };
      // The KMIP object behind the data key is tenant A's, and holds no plaintext key.
      const kmipId = (out.masterKey as { keyId: string }).keyId;
      const doc = await env.h.store.db.collection('kmipObjects').findOne({ _id: kmipId as never });
      expect(doc).toMatchObject({ tenantId: 'tenant-a', material: { kind: mode ? 'derived' : 'sealed' } });
    });
  }

  it('decrypts both again after the KMIP server restarts', async () => {
    await env.h.server.stop();
    env.h.server = await env.h.startServer();
    const c = env.clientA;
    for (const [, mode] of cases) {
      const out = await python('libmongocrypt_client.py', ['decrypt', env.h.mongoUri, `127.0.0.1:${env.h.server.port}`, c.files.ca, c.files.combined, mode], made[mode]!.ciphertext);
      expect(out.plaintext).toBe('OpenKCM secret value');
    }
  });

  it("another tenant's certificate cannot decrypt with those data keys", async () => {
    const c = env.clientB;
    await expect(
      python('libmongocrypt_client.py', ['decrypt', env.h.mongoUri, `127.0.0.1:${env.h.server.port}`, c.files.ca, c.files.combined, ''], made['']!.ciphertext),
    ).rejects.toThrow(/ItemNotFound|not found|KMIP/i);
  });
});
