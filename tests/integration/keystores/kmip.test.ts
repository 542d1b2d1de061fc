import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Depends on the kmip branch: the project's KMIP client and its PyKMIP launcher.
import { KmipClient } from '../../../clients/kmip/index.js';
import { startPyKmip } from '../../../clients/kmip/testing/pykmip.js';
import type { PyKmipServer } from '../../../clients/kmip/testing/pykmip.js';
import { createTestPki } from '../../../clients/kmip/testing/certs.js';
import { CryptographicUsageMask, RevocationReasonCode } from '../../../kmip-server/codec/enums.js';
import { createConnector } from '../../../lib/keystores/factory.js';
import type { L1Connector } from '../../../lib/keystores/types.js';
import { freePort } from '../../support/emulators/process.js';
import { caught, statuses, transcript } from './fixtures.js';

const tenantA = { tenantId: 'tenant-a', purpose: 'l2', l2Version: 1 };
const tenantB = { tenantId: 'tenant-b', purpose: 'l2', l2Version: 1 };

let server: PyKmipServer | undefined;
let skipReason: string | undefined;
let admin: KmipClient;
const keys = { good: '', preActive: '', encryptOnly: '', revoked: '' };
const opened: L1Connector[] = [];

function connector(keyUniqueIdentifier: string, overrides: Record<string, unknown> = {}, clientKeyPem = server!.pki.clientKeyPem): L1Connector {
  const c = createConnector(
    { kind: 'kmip', host: server!.host, port: server!.port, caCertPem: server!.pki.caPem, clientCertPem: server!.pki.clientCertPem, keyUniqueIdentifier, timeoutMs: 3_000, ...overrides },
    { clientKeyPem },
  );
  opened.push(c);
  return c;
}

beforeAll(async () => {
  try {
    server = await startPyKmip();
  } catch (error) {
    skipReason = `PyKMIP not available: ${(error as Error).message.split('\n')[0]}`;
    return;
  }
  admin = new KmipClient({ host: server.host, port: server.port, ca: server.pki.caPem, cert: server.pki.clientCertPem, key: server.pki.clientKeyPem });
  const aes = async (usageMask = CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt) => (await admin.create({ length: 256, usageMask })).uniqueIdentifier;
  keys.good = await aes();
  await admin.activate(keys.good);
  keys.preActive = await aes();
  keys.encryptOnly = await aes(CryptographicUsageMask.Encrypt);
  await admin.activate(keys.encryptOnly);
  keys.revoked = await aes();
  await admin.activate(keys.revoked);
  await admin.revoke(keys.revoked, RevocationReasonCode.CessationOfOperation);
});

afterAll(async () => {
  for (const c of opened) await c.close().catch(() => undefined);
  await admin?.close().catch(() => undefined);
  await server?.stop();
});

describe('KMIP connector on PyKMIP', () => {
  it('passes every step and round-trips a 32-byte L2 with AES-GCM on the server, refusing another tenant', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const c = connector(keys.good);
    const live: unknown[] = [];
    const d = await c.testConnection({ onStep: (step) => live.push(step) });
    expect(live).toEqual(d.steps);
    expect(statuses(d)).toBe('reachable:passed authenticated:passed key-exists:passed enabled:passed usage:passed round-trip:passed');
    expect(d.key).toMatchObject({ state: 'enabled', algorithm: 'AES-256', usage: ['Encrypt', 'Decrypt'] });
    const l2 = randomBytes(32);
    const wrapped = await c.wrap(l2, tenantA);
    expect(wrapped.includes(l2)).toBe(false);
    expect((await c.unwrap(wrapped, tenantA)).equals(l2)).toBe(true);
    const e = await caught(c.unwrap(wrapped, tenantB));
    expect(e.code).toBe('crypto-failure');
    expect(e.retryable).toBe(false);
  });

  it('ends at authenticated for a client certificate the server does not trust, without the private key in any message', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const stranger = createTestPki('stranger');
    const c = connector(keys.good, { clientCertPem: stranger.clientCertPem }, stranger.clientKeyPem);
    const d = await c.testConnection();
    expect(statuses(d)).toBe('reachable:passed authenticated:failed key-exists:skipped enabled:skipped usage:skipped round-trip:skipped');
    expect(d.steps[1]).toMatchObject({ code: 'access-denied' });
    expect(d.retryable).toBe(false);
    const e = await caught(c.wrap(randomBytes(32), tenantA));
    expect(e.code).toBe('access-denied');
    const text = transcript(d, e);
    expect(text).not.toContain(stranger.clientKeyPem.split('\n')[1]!);
    expect(text).not.toContain(server!.pki.clientKeyPem.split('\n')[1]!);
  });

  it('ends at key-exists for a missing key', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const d = await connector('999999').testConnection();
    expect(d.failedStep).toBe('key-exists');
    expect(d.steps[2]).toMatchObject({ code: 'not-found' });
  });

  it('ends at enabled for a pre-active or revoked key', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const pre = await connector(keys.preActive).testConnection();
    expect(pre.failedStep).toBe('enabled');
    expect(pre.steps[3]?.message).toMatch(/PreActive.*activate it/);
    const revoked = await connector(keys.revoked).testConnection();
    expect(revoked.failedStep).toBe('enabled');
    expect(revoked.steps[3]).toMatchObject({ code: 'disabled' });
  });

  it('ends at usage for a key without the Decrypt usage', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const d = await connector(keys.encryptOnly).testConnection();
    expect(d.failedStep).toBe('usage');
    expect(d.steps[4]).toMatchObject({ code: 'wrong-usage' });
  });

  it('reports an unreachable server fast, as transient', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const started = Date.now();
    const c = connector(keys.good, { port: await freePort(), timeoutMs: 500 });
    const d = await c.testConnection();
    expect(d.steps[0]).toMatchObject({ status: 'failed', code: 'unreachable' });
    expect(d.retryable).toBe(true);
    expect((await caught(c.wrap(randomBytes(32), tenantA))).code).toBe('unreachable');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
