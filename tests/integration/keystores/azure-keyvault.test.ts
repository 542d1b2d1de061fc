import { randomBytes } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import { KeyClient } from '@azure/keyvault-keys';
import type { TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../../lib/keystores/factory.js';
import type { L1Connector } from '../../../lib/keystores/types.js';
import { startEntraTokenServer } from '../../support/emulators/entra-token.js';
import type { EntraTokenServer } from '../../support/emulators/entra-token.js';
import { startLowkeyVault } from '../../support/emulators/lowkey-vault.js';
import { EmulatorUnavailable, freePort } from '../../support/emulators/process.js';
import { selfSignedLoopbackCert } from '../../support/emulators/self-signed.js';
import { caught, runningStack, statuses, transcript } from './fixtures.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TENANT_ID = '7c0a8f1e-1111-4222-8333-944455556666';
const CLIENT_ID = '0f0e0d0c-aaaa-4bbb-8ccc-ddddeeeeffff';
const CLIENT_SECRET = 'openkcm~test.client-secret_0123456789';
/** Lowkey Vault implements wrapKey through its encrypt path and demands ENCRYPT too; real Key Vault needs only wrapKey/unwrapKey. */
const L1_OPS: Array<'wrapKey' | 'unwrapKey' | 'encrypt' | 'decrypt'> = ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'];
const tenantA = { tenantId: 'tenant-a', purpose: 'l2', l2Version: 1 };
const tenantB = { tenantId: 'tenant-b', purpose: 'l2', l2Version: 1 };

let skipReason: string | undefined;
let vaultUrl = '';
let vaultCa = '';
let stopVault: (() => Promise<void>) | undefined;
let entra: EntraTokenServer;
let tmp = '';
let admin: KeyClient;
const names = { good: '', disabled: '', early: '', signOnly: '' };
const opened: L1Connector[] = [];

function connector(keyUrl: string, overrides: Record<string, unknown> = {}, clientSecret = CLIENT_SECRET): L1Connector {
  const c = createConnector(
    { kind: 'azure-keyvault', keyUrl, tenantId: TENANT_ID, clientId: CLIENT_ID, authorityHost: entra.authorityHost, caCertPem: vaultCa, timeoutMs: 3_000, maxRetries: 0, ...overrides },
    { clientSecret },
  );
  opened.push(c);
  return c;
}

/** The stack's Lowkey Vault presents its own certificate; trust what it presents (tests only). */
async function peerCertificatePem(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false, servername: 'localhost' }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(`-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'openkcm-azure-test-'));
  const stackVault = runningStack()?.lowkeyVault;
  try {
    if (stackVault) {
      vaultUrl = stackVault.url;
      vaultCa = await peerCertificatePem(vaultUrl);
    } else {
      const vault = await startLowkeyVault();
      vaultUrl = vault.url;
      vaultCa = vault.cert.certPem;
      stopVault = () => vault.stop();
    }
  } catch (error) {
    if (error instanceof EmulatorUnavailable) {
      skipReason = error.message;
      return;
    }
    throw error;
  }
  entra = await startEntraTokenServer(selfSignedLoopbackCert(tmp, 'entra'));
  entra.register(TENANT_ID, CLIENT_ID, CLIENT_SECRET);
  // The connector must trust both the vault and the authority: one PEM bundle.
  vaultCa = `${vaultCa}\n${(await import('node:fs')).readFileSync(path.join(tmp, 'entra.crt'), 'utf8')}`;

  const anyToken: TokenCredential = { getToken: async () => ({ token: 'test-admin', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  admin = new KeyClient(vaultUrl, anyToken, {
    agent: new https.Agent({ ca: vaultCa }),
    disableChallengeResourceVerification: true,
  });
  const suffix = randomBytes(3).toString('hex');
  names.good = `l1-${suffix}`;
  names.disabled = `l1-disabled-${suffix}`;
  names.early = `l1-early-${suffix}`;
  names.signOnly = `l1-sign-${suffix}`;
  await admin.createRsaKey(names.good, { keySize: 2048, keyOps: L1_OPS });
  const disabled = await admin.createRsaKey(names.disabled, { keySize: 2048, keyOps: L1_OPS });
  await admin.updateKeyProperties(names.disabled, disabled.properties.version!, { enabled: false });
  await admin.createRsaKey(names.early, { keySize: 2048, keyOps: L1_OPS, notBefore: new Date(Date.now() + 86_400_000) });
  await admin.createRsaKey(names.signOnly, { keySize: 2048, keyOps: ['sign', 'verify'] });
});

afterAll(async () => {
  for (const c of opened) await c.close();
  await entra?.stop();
  await stopVault?.();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const keyUrl = (name: string, version?: string) => `${vaultUrl}/keys/${name}${version ? `/${version}` : ''}`;

describe('Azure Key Vault connector on Lowkey Vault', () => {
  it('passes every step with a version-less URL, pins the current version, round-trips and refuses another tenant', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const current = await admin.getKey(names.good);
    const c = connector(keyUrl(names.good));
    const live: unknown[] = [];
    const d = await c.testConnection({ onStep: (step) => live.push(step) });
    expect(live).toEqual(d.steps);
    expect(statuses(d)).toBe('reachable:passed authenticated:passed key-exists:passed enabled:passed usage:passed round-trip:passed');
    expect(d.key).toMatchObject({ version: current.properties.version, state: 'enabled', algorithm: 'RSA-2048' });
    expect(d.key?.usage).toEqual(expect.arrayContaining(['wrapKey', 'unwrapKey']));
    expect(d.steps[4]?.message).toMatch(/RSA-OAEP-256/);
    expect(entra.tokensIssued()).toBeGreaterThan(0);

    const l2 = randomBytes(32);
    const wrapped = await c.wrap(l2, tenantA);
    expect(wrapped.includes(l2)).toBe(false);
    expect((await c.unwrap(wrapped, tenantA)).equals(l2)).toBe(true);
    const e = await caught(c.unwrap(wrapped, tenantB));
    expect(e.code).toBe('crypto-failure');
    expect(e.retryable).toBe(false);
    // A tampered blob never yields bytes. (Key Vault answers 400 -> crypto-failure; Lowkey Vault
    // answers 500 "Cannot decrypt message", which the mapping must treat as transient.)
    const tampered = Buffer.from(wrapped);
    tampered[tampered.length - 5]! ^= 0xff;
    const t = await caught(c.unwrap(tampered, tenantA));
    expect(['crypto-failure', 'internal']).toContain(t.code);
  });

  it('keeps unwrapping old blobs after the customer rotates the key (the version travels in the blob)', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const name = `l1-rotating-${randomBytes(3).toString('hex')}`;
    const v1 = await admin.createRsaKey(name, { keySize: 2048, keyOps: L1_OPS });
    const before = connector(keyUrl(name));
    const l2 = randomBytes(32);
    const oldBlob = await before.wrap(l2, tenantA);
    const v2 = await admin.createRsaKey(name, { keySize: 2048, keyOps: L1_OPS });
    expect(v2.properties.version).not.toBe(v1.properties.version);
    const after = connector(keyUrl(name));
    expect((await after.describe()).version).toBe(v2.properties.version);
    expect((await after.unwrap(oldBlob, tenantA)).equals(l2)).toBe(true);
    const pinnedOld = connector(keyUrl(name, v1.properties.version));
    expect((await pinnedOld.testConnection()).key?.version).toBe(v1.properties.version);
  });

  it('ends at authenticated for a wrong client secret (and for an unknown client), without the secret in any message', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const wrongSecret = 'wrong~secret.value_9876543210';
    const c = connector(keyUrl(names.good), {}, wrongSecret);
    const d = await c.testConnection();
    expect(statuses(d)).toBe('reachable:passed authenticated:failed key-exists:skipped enabled:skipped usage:skipped round-trip:skipped');
    expect(d.steps[1]).toMatchObject({ code: 'access-denied' });
    expect(d.steps[1]?.message).toMatch(/client secret is wrong/);
    expect(d.retryable).toBe(false);
    const e = await caught(c.wrap(randomBytes(32), tenantA));
    expect(e.code).toBe('access-denied');
    expect(transcript(d, e)).not.toContain(wrongSecret);
    expect(transcript(d, e)).not.toContain(CLIENT_SECRET);

    const unknown = await connector(keyUrl(names.good), { clientId: '99999999-0000-4000-8000-000000000000' }).testConnection();
    expect(unknown.failedStep).toBe('authenticated');
    expect(unknown.steps[1]?.message).toMatch(/not registered/);
  });

  it('ends at key-exists for a missing key', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const d = await connector(keyUrl('no-such-key')).testConnection();
    expect(statuses(d)).toBe('reachable:passed authenticated:passed key-exists:failed enabled:skipped usage:skipped round-trip:skipped');
    expect(d.steps[2]).toMatchObject({ code: 'not-found' });
  });

  it('ends at enabled for a disabled key and for a key not valid yet; wrap refuses permanently', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const c = connector(keyUrl(names.disabled));
    const d = await c.testConnection();
    expect(d.failedStep).toBe('enabled');
    expect(d.steps[3]).toMatchObject({ code: 'disabled' });
    expect(d.steps[3]?.message).toMatch(/disabled/);
    const e = await caught(c.wrap(randomBytes(32), tenantA));
    expect(e.code).toBe('disabled');
    expect(e.retryable).toBe(false);

    const early = await connector(keyUrl(names.early)).testConnection();
    expect(early.failedStep).toBe('enabled');
    expect(early.steps[3]?.message).toMatch(/not valid before/);
  });

  it('ends at usage for a key whose operations lack wrapKey/unwrapKey', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const d = await connector(keyUrl(names.signOnly)).testConnection();
    expect(d.failedStep).toBe('usage');
    expect(d.steps[4]).toMatchObject({ code: 'wrong-usage' });
    expect(d.steps[4]?.message).toMatch(/lack wrapKey and unwrapKey/);
  });

  it('reports an unreachable vault or authority fast as transient, and an untrusted certificate as permanent', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const closed = await freePort();
    const started = Date.now();
    const down = await connector(`https://127.0.0.1:${closed}/keys/${names.good}`, { timeoutMs: 500 }).testConnection();
    expect(down.steps[0]).toMatchObject({ status: 'failed', code: 'unreachable' });
    expect(down.retryable).toBe(true);
    const noAuthority = connector(keyUrl(names.good), { authorityHost: `https://127.0.0.1:${closed}`, timeoutMs: 500 });
    const d2 = await noAuthority.testConnection();
    expect(d2.failedStep).toBe('authenticated');
    expect(d2.steps[1]).toMatchObject({ code: 'unreachable' });
    expect(d2.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);

    const untrusted = await connector(keyUrl(names.good), { caCertPem: undefined }).testConnection();
    expect(untrusted.steps[0]).toMatchObject({ status: 'failed', code: 'invalid-config' });
    expect(untrusted.steps[0]?.message).toMatch(/not trusted/);
    expect(untrusted.retryable).toBe(false);
  });

  it('rejects malformed settings and a missing secret at configuration time', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    expect(() => connector('https://example.com/secrets/x')).toThrow(/keyUrl/);
    expect(() => connector(keyUrl(names.good), {}, '')).toThrow(/clientSecret/);
  });
});
