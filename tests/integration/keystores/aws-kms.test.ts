import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../../lib/keystores/factory.js';
import type { L1Connector } from '../../../lib/keystores/types.js';
import { EmulatorUnavailable, freePort } from '../../support/emulators/process.js';
import { startLocalKms } from '../../support/emulators/local-kms.js';
import type { LocalKms } from '../../support/emulators/local-kms.js';
import { caught, runningStack, statuses, transcript } from './fixtures.js';

const ACCESS_KEY_ID = 'AKIAOPENKCMTEST00001';
const SECRET_ACCESS_KEY = 'openkcm-test-secret-access-key-0123456789';
const tenantA = { tenantId: 'tenant-a', purpose: 'l2', l2Version: 1 };
const tenantB = { tenantId: 'tenant-b', purpose: 'l2', l2Version: 1 };

let kms: Pick<LocalKms, 'endpoint' | 'region' | 'accountId'> & { stop?: () => Promise<void> };
let skipReason: string | undefined;
let admin: KMSClient;
const keys: Record<'good' | 'other' | 'disabled' | 'pending' | 'signing', string> = { good: '', other: '', disabled: '', pending: '', signing: '' };
let aliasArn = '';
const opened: L1Connector[] = [];

function connector(keyArn: string, overrides: Record<string, unknown> = {}, secrets: unknown = { secretAccessKey: SECRET_ACCESS_KEY }, observe?: (n: string) => void): L1Connector {
  const c = createConnector(
    { kind: 'aws-kms', keyArn, endpoint: kms.endpoint, credentials: { type: 'static', accessKeyId: ACCESS_KEY_ID }, timeoutMs: 2_000, maxAttempts: 1, ...overrides },
    secrets,
    observe ? { aws: { observeCommand: observe } } : {},
  );
  opened.push(c);
  return c;
}

beforeAll(async () => {
  const fromStack = runningStack()?.localKms;
  try {
    kms = fromStack ?? (await startLocalKms());
  } catch (error) {
    if (error instanceof EmulatorUnavailable) {
      skipReason = error.message;
      return;
    }
    throw error;
  }
  // The test's own admin client sets up keys; the connector under test never sees these calls.
  admin = new KMSClient({ region: kms.region, endpoint: kms.endpoint, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY } });
  const create = async (extra: Record<string, unknown> = {}) => (await admin.send(new CreateKeyCommand({ Description: 'openkcm test', ...extra }))).KeyMetadata!.Arn!;
  keys.good = await create();
  keys.other = await create();
  keys.disabled = await create();
  keys.pending = await create();
  keys.signing = await create({ KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256' });
  await admin.send(new DisableKeyCommand({ KeyId: keys.disabled }));
  await admin.send(new ScheduleKeyDeletionCommand({ KeyId: keys.pending, PendingWindowInDays: 7 }));
  const aliasName = `alias/openkcm-test-${randomBytes(4).toString('hex')}`;
  await admin.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keys.good }));
  aliasArn = `arn:aws:kms:${kms.region}:${kms.accountId}:${aliasName}`;
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  admin?.destroy();
  await kms?.stop?.();
});

describe('AWS KMS connector on local-kms', () => {
  it('passes every diagnostic step and round-trips a 32-byte L2 bound to its tenant, issuing only DescribeKey/Encrypt/Decrypt', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const commands: string[] = [];
    const c = connector(keys.good, {}, undefined, (name) => commands.push(name));
    const live: unknown[] = [];
    const d = await c.testConnection({ onStep: (step) => live.push(step) });
    expect(live).toEqual(d.steps);
    expect(statuses(d)).toBe('reachable:passed authenticated:passed key-exists:passed enabled:passed usage:passed round-trip:passed');
    expect(d.ok).toBe(true);
    expect(d.key).toMatchObject({ keyId: keys.good, state: 'enabled', algorithm: 'SYMMETRIC_DEFAULT', usage: ['ENCRYPT_DECRYPT'] });

    const l2 = randomBytes(32);
    const wrapped = await c.wrap(l2, tenantA);
    expect(wrapped.includes(l2)).toBe(false);
    const back = await c.unwrap(wrapped, tenantA);
    expect(back.equals(l2)).toBe(true);

    const other = await caught(c.unwrap(wrapped, tenantB));
    expect(other.code).toBe('crypto-failure');
    expect(other.retryable).toBe(false);
    const otherVersion = await caught(c.unwrap(wrapped, { ...tenantA, l2Version: 2 }));
    expect(otherVersion.code).toBe('crypto-failure');

    expect(commands.length).toBeGreaterThan(0);
    expect(new Set(commands)).toEqual(new Set(['DescribeKeyCommand', 'EncryptCommand', 'DecryptCommand']));
  });

  it('accepts an alias ARN, resolves it to the key ARN and pins that key on Decrypt', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const c = connector(aliasArn);
    const d = await c.testConnection();
    expect(d.ok).toBe(true);
    expect(d.key?.keyId).toBe(keys.good);
    expect(d.steps[2]?.message).toContain(keys.good);
    const viaKey = await connector(keys.good).wrap(randomBytes(32), tenantA);
    expect(await c.unwrap(viaKey, tenantA)).toHaveLength(32);
    // A blob wrapped under another key is refused even though the caller's context is right.
    const foreign = await connector(keys.other).wrap(randomBytes(32), tenantA);
    const e = await caught(c.unwrap(foreign, tenantA));
    expect(e.code).toBe('crypto-failure');
  });

  it('ends at key-exists for a missing key', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const missing = `arn:aws:kms:${kms.region}:${kms.accountId}:key/00000000-0000-4000-8000-000000000000`;
    const d = await connector(missing).testConnection();
    expect(statuses(d)).toBe('reachable:passed authenticated:passed key-exists:failed enabled:skipped usage:skipped round-trip:skipped');
    expect(d.steps[2]).toMatchObject({ code: 'not-found' });
    expect(d.steps[2]?.message).toMatch(/does not exist/);
    expect(d.retryable).toBe(false);
  });

  it('ends at enabled for a disabled key, and wrap refuses with a permanent error', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const c = connector(keys.disabled);
    const d = await c.testConnection();
    expect(d.failedStep).toBe('enabled');
    expect(d.steps[3]).toMatchObject({ status: 'failed', code: 'disabled' });
    expect(d.steps[3]?.message).toMatch(/disabled/);
    const e = await caught(c.wrap(randomBytes(32), tenantA));
    expect(e.code).toBe('disabled');
    expect(e.retryable).toBe(false);
  });

  it('ends at enabled for a key pending deletion', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const d = await connector(keys.pending).testConnection();
    expect(d.failedStep).toBe('enabled');
    expect(d.steps[3]).toMatchObject({ code: 'pending-deletion' });
    expect(d.steps[3]?.message).toMatch(/scheduled for deletion/);
  });

  it('ends at usage for a signing key', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const d = await connector(keys.signing).testConnection();
    expect(d.failedStep).toBe('usage');
    expect(d.steps[4]).toMatchObject({ code: 'wrong-usage' });
    expect(d.steps[4]?.message).toMatch(/SIGN_VERIFY.*ENCRYPT_DECRYPT/);
  });

  it('reports an unreachable endpoint fast, as transient', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const closed = await freePort();
    const started = Date.now();
    const c = connector(keys.good, { endpoint: `http://127.0.0.1:${closed}`, timeoutMs: 500 });
    const d = await c.testConnection();
    expect(statuses(d)).toBe('reachable:failed authenticated:skipped key-exists:skipped enabled:skipped usage:skipped round-trip:skipped');
    expect(d.steps[0]).toMatchObject({ code: 'unreachable' });
    expect(d.retryable).toBe(true);
    const e = await caught(c.wrap(randomBytes(32), tenantA));
    expect(e.code).toBe('unreachable');
    expect(e.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  describe('wrong credentials (local-kms does not verify signatures, so these are the paths that can be tested)', () => {
    it('refuses absent or malformed credentials at configuration time, without echoing them', async (ctx) => {
      if (skipReason) ctx.skip(skipReason);
      const absent = (() => {
        try {
          connector(keys.good, {}, {});
        } catch (e) {
          return e as Error & { code: string };
        }
        throw new Error('expected invalid-config');
      })();
      expect(absent.code).toBe('invalid-config');
      expect(absent.message).toMatch(/secretAccessKey/);

      const malformedSecret = 'short-secret';
      const malformed = (() => {
        try {
          createConnector({ kind: 'aws-kms', keyArn: keys.good, credentials: { type: 'static', accessKeyId: 'not-an-access-key' } }, { secretAccessKey: malformedSecret });
        } catch (e) {
          return e as Error & { code: string };
        }
        throw new Error('expected invalid-config');
      })();
      expect(malformed.code).toBe('invalid-config');
      expect(malformed.message).toMatch(/accessKeyId/);

      const shortSecret = (() => {
        try {
          connector(keys.good, {}, { secretAccessKey: malformedSecret });
        } catch (e) {
          return e as Error & { code: string };
        }
        throw new Error('expected invalid-config');
      })();
      expect(shortSecret.code).toBe('invalid-config');
      expect(shortSecret.message).toMatch(/secretAccessKey/);
      expect(shortSecret.message).not.toContain(malformedSecret);
    });

    it('ends at authenticated, transient, when STS cannot be reached for AssumeRole', async (ctx) => {
      if (skipReason) ctx.skip(skipReason);
      const closed = await freePort();
      const c = connector(keys.good, {
        credentials: {
          type: 'assume-role',
          roleArn: `arn:aws:iam::${kms.accountId}:role/openkcm-byok`,
          externalId: 'tenant-a-external-id',
          source: { type: 'static', accessKeyId: ACCESS_KEY_ID },
          stsEndpoint: `http://127.0.0.1:${closed}`,
        },
      });
      const d = await c.testConnection();
      expect(statuses(d)).toBe('reachable:passed authenticated:failed key-exists:skipped enabled:skipped usage:skipped round-trip:skipped');
      expect(d.steps[1]).toMatchObject({ code: 'unreachable' });
      expect(d.steps[1]?.message).toMatch(/assuming role .*openkcm-byok failed/);
      expect(d.retryable).toBe(true);
      expect(transcript(d)).not.toContain(SECRET_ACCESS_KEY);
    });

    it('ends at authenticated, permanent, when STS refuses AssumeRole', async (ctx) => {
      if (skipReason) ctx.skip(skipReason);
      // local-kms answers the STS call with an error: a real server refusing, as STS does for a bad ExternalId.
      const c = connector(keys.good, {
        credentials: {
          type: 'assume-role',
          roleArn: `arn:aws:iam::${kms.accountId}:role/openkcm-byok`,
          externalId: 'wrong-external-id',
          source: { type: 'static', accessKeyId: ACCESS_KEY_ID },
          stsEndpoint: kms.endpoint,
        },
      });
      const d = await c.testConnection();
      expect(d.failedStep).toBe('authenticated');
      expect(d.retryable).toBe(false);
      expect(d.steps[1]?.message).toMatch(/assuming role/);
      const e = await caught(c.wrap(randomBytes(32), tenantA));
      expect(e.step).toBe('authenticated');
      expect(transcript(d, e)).not.toContain(SECRET_ACCESS_KEY);
    });
  });

  it('gives up after timeoutMs on an endpoint that takes the call but never answers: authenticated fails, transient', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    // Answers the reachability probe, then holds every KMS call open.
    const silent = createServer((request, response) => {
      if (request.method === 'GET') response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const c = connector(keys.good, { endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 1_000 });
      const started = Date.now();
      const d = await c.testConnection();
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(statuses(d)).toBe('reachable:passed authenticated:failed key-exists:skipped enabled:skipped usage:skipped round-trip:skipped');
      expect(d.steps[1]).toMatchObject({ code: 'timeout', message: expect.stringContaining('did not answer in time') });
      expect(d.retryable).toBe(true);
      const e = await caught(c.wrap(randomBytes(32), tenantA));
      expect(e.code).toBe('timeout');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('never puts the secret access key in diagnostics or errors', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const results: unknown[] = [];
    for (const arn of [keys.good, keys.disabled, keys.pending, keys.signing]) results.push(await connector(arn).testConnection());
    results.push(await caught(connector(keys.disabled).wrap(randomBytes(32), tenantA)));
    results.push(await caught(connector(keys.good).unwrap(randomBytes(64), tenantA)));
    const text = transcript(...results);
    expect(text.length).toBeGreaterThan(500);
    expect(text).not.toContain(SECRET_ACCESS_KEY);
  });
});
