import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipClient } from '../../../clients/kmip/client.js';
import { KmipConnectionError, KmipResultError } from '../../../clients/kmip/errors.js';
import { createTestPki } from '../../../clients/kmip/testing/certs.js';
import { ResultReason } from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { bool } from '../../../kmip-server/codec/types.js';
import { buildCertificate, newSerial } from '../../../lib/pki/certificate-builder.js';
import { serviceCertificateSpec } from '../../../lib/pki/profiles.js';
import { TenantRepository } from '../../../lib/tenants/repository.js';
import type { HandshakeAttempt, KmipTestEnv } from './support.js';
import { attemptHandshake, clientFor, metricValue, metricsText, startEnv, unavailable } from './support.js';

const skip = unavailable();
let env: KmipTestEnv;
const LIMIT = 4;

beforeAll(async () => {
  if (skip) return;
  // One worker, so the per-identity limit is exact; short poll intervals are the defaults.
  env = await startEnv({ workers: 1, env: { OPENKCM_KMIP_MAX_CONNECTIONS_PER_IDENTITY: String(LIMIT) } });
});
afterAll(async () => {
  await env?.h.stop();
});

async function refusal(p: Promise<unknown>): Promise<KmipResultError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KmipResultError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** A handshake with the given client credentials (and session to resume) against the server. */
function attempt(cert: string | undefined, key: string | undefined, session?: Buffer): Promise<HandshakeAttempt> {
  return attemptHandshake({ port: env.h.server.port, ca: env.clientA.caPem, cert, key, session });
}

async function handshake(cert: string | undefined, key: string | undefined): Promise<string> {
  return (await attempt(cert, key)).outcome;
}

/** A service certificate of tenant-a signed by the real issuing CA, with the given validity. */
function serviceCredentials(validity: { notBefore: Date; notAfter: Date }): { cert: string; key: string } {
  const ca = env.h.pki.ca.issuing;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const built = buildCertificate(
    serviceCertificateSpec({ serial: newSerial(), tenantId: 'tenant-a', serviceId: 'mongodb', publicKey, issuerSubject: ca.subject, issuerKey: ca.publicKey, validity }),
    ca.privateKey,
  );
  return { cert: built.pem + ca.certificatePem, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

const ephemeral = { name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) };

describe.skipIf(skip)('tenant gating: the kill switch', () => {
  it('a revoked L1 refuses every operation within 1 s with no push, naming the reason; re-activation restores service', async () => {
    const c = clientFor(env.h, env.clientA);
    const tenants = new TenantRepository(env.h.store.db);
    try {
      const { uniqueIdentifier: persisted } = await c.create();
      const { uniqueIdentifier: eph } = await c.create({ attributes: [ephemeral] });
      await c.get(eph);
      const revokedAt = Date.now();
      await tenants.setL1State('tenant-a', { status: 'revoked', reason: 'customer disabled the key', configId: env.a.configId, currentL2Version: 1 });
      let refused: KmipResultError | undefined;
      while (!refused && Date.now() - revokedAt < 3_000) {
        try {
          await c.get(eph);
        } catch (e) {
          refused = e as KmipResultError;
        }
      }
      const elapsed = Date.now() - revokedAt;
      expect(refused?.resultReason).toBe(ResultReason.PermissionDenied);
      expect(refused?.resultMessage).toBe("tenant key unavailable: the tenant's L1 key is revoked: customer disabled the key");
      expect(elapsed).toBeLessThan(1_000);
      for (const op of [() => c.get(persisted), () => c.getAttributes(persisted), () => c.create(), () => c.locate(), () => c.encrypt(eph, Buffer.alloc(16))]) {
        expect((await refusal(op())).resultReason).toBe(ResultReason.PermissionDenied);
      }
      // Other tenants are unaffected.
      const other = clientFor(env.h, env.clientB);
      expect((await other.create()).uniqueIdentifier).toBeTruthy();
      await other.close();
      await tenants.setL1State('tenant-a', { status: 'active', configId: env.a.configId, currentL2Version: 1 });
      await env.h.invalidate('tenant-a');
      expect((await c.get(eph)).keyMaterial).toHaveLength(32);
    } finally {
      await c.close();
    }
  });

  it('the invalidation push makes the refusal immediate, and is refused without the admin token', async () => {
    const c = clientFor(env.h, env.clientA);
    const tenants = new TenantRepository(env.h.store.db);
    try {
      const { uniqueIdentifier: eph } = await c.create({ attributes: [ephemeral] });
      await tenants.setL1State('tenant-a', { status: 'error', reason: 'KMS key disabled', configId: env.a.configId, currentL2Version: 1 });
      await env.h.invalidate('tenant-a');
      expect((await refusal(c.get(eph))).resultMessage).toBe("tenant key unavailable: the tenant's L1 key is error: KMS key disabled");
      await tenants.setL1State('tenant-a', { status: 'active', configId: env.a.configId, currentL2Version: 1 });
      await env.h.invalidate('tenant-a');
      expect((await c.get(eph)).keyMaterial).toHaveLength(32);
      const url = `${env.h.server.adminUrl}/internal/tenants/tenant-a/invalidate`;
      expect((await fetch(url, { method: 'POST' })).status).toBe(401);
      expect((await fetch(url, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      expect((await fetch(`${env.h.server.adminUrl}/internal/tenants/Not_A_Tenant/invalidate`, { method: 'POST', headers: { authorization: `Bearer ${env.h.adminToken}` } })).status).toBe(400);
    } finally {
      await c.close();
    }
  });

  it('a customer disabling L1 in their keystore stops new unwraps once cached keys are dropped', async () => {
    const c = clientFor(env.h, env.clientB);
    try {
      const { uniqueIdentifier: uid } = await c.create();
      await env.h.disableL1(env.b);
      await env.h.invalidate('tenant-b');
      const r = await refusal(c.get(uid));
      expect(r.resultReason).toBe(ResultReason.PermissionDenied);
      expect(r.resultMessage).toMatch(/^tenant key unavailable: the L1 keystore refused to unwrap/);
      await env.h.enableL1(env.b);
      expect((await c.get(uid)).keyMaterial).toHaveLength(32);
    } finally {
      await c.close();
    }
  });
});

describe.skipIf(skip)('client certificates', () => {
  it('a certificate revoked in the PKI is refused on new connections and cut off on open ones within a second', async () => {
    const creds = await env.h.issueClient('tenant-a', 'soon-revoked');
    const open = clientFor(env.h, creds);
    try {
      await open.create();
      await env.h.pki.revoke(creds.serial, 'keyCompromise');
      const deadline = Date.now() + 2_000;
      let cut = false;
      while (Date.now() < deadline && !cut) {
        try {
          await open.discoverVersions();
          await new Promise((r) => setTimeout(r, 50));
        } catch (e) {
          cut = e instanceof KmipConnectionError;
        }
      }
      expect(cut).toBe(true);
      const fresh = clientFor(env.h, creds);
      await expect(fresh.discoverVersions()).rejects.toBeInstanceOf(KmipConnectionError);
      await fresh.close();
      expect(metricValue(await metricsText(env.h), 'openkcm_kmip_connections_refused_total', 'reason="revoked"')).toBeGreaterThanOrEqual(1);
    } finally {
      await open.close();
    }
  });

  it('an expired certificate, one from a foreign CA, and no certificate at all fail the handshake', async () => {
    // A certificate signed by the real issuing CA, valid until an hour ago.
    const expired = serviceCredentials({ notBefore: new Date(Date.now() - 2 * 86_400_000), notAfter: new Date(Date.now() - 3_600_000) });
    expect(await handshake(expired.cert, expired.key)).not.toBe('connected');
    const foreign = createTestPki('tenant-a');
    expect(await handshake(foreign.clientCertPem, foreign.clientKeyPem)).not.toBe('connected');
    expect(await handshake(undefined, undefined)).not.toBe('connected');
    expect(await handshake(env.clientA.certPem, env.clientA.keyPem)).toBe('connected');
  });

  it('a resumed session whose certificate has expired since is refused: resumption skips the chain check, the listener does not', async () => {
    // X.509 times have whole seconds: this certificate expires 2-3 s from now.
    const notAfter = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2_000);
    const shortLived = serviceCredentials({ notBefore: new Date(Date.now() - 60_000), notAfter });
    const first = await attempt(shortLived.cert, shortLived.key);
    expect(first.outcome).toBe('connected');
    expect(first.session).toBeDefined();

    await new Promise((r) => setTimeout(r, notAfter.getTime() - Date.now() + 500));
    const refusedBefore = metricValue(await metricsText(env.h), 'openkcm_kmip_connections_refused_total', 'reason="expired"');
    const resumed = await attempt(shortLived.cert, shortLived.key, first.session);
    // The TLS layer let the session resume (it does not look at the certificate again) ...
    expect(resumed.resumed).toBe(true);
    // ... and the listener hung up before reading a byte of KMIP.
    expect(resumed.outcome).toBe('closed');
    expect(metricValue(await metricsText(env.h), 'openkcm_kmip_connections_refused_total', 'reason="expired"')).toBe(refusedBefore + 1);
    // Without a session to resume, the same certificate fails the handshake itself.
    expect(await handshake(shortLived.cert, shortLived.key)).not.toBe('connected');
  });

  it(`an identity may hold at most ${LIMIT} connections; other identities are unaffected`, async () => {
    const clients: KmipClient[] = [];
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < LIMIT + 3; i++) {
        const c = clientFor(env.h, env.clientB);
        clients.push(c);
        outcomes.push(await c.discoverVersions().then(() => 'ok', (e: Error) => e.name));
      }
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(LIMIT);
      expect(outcomes.slice(LIMIT).every((o) => o === 'KmipConnectionError')).toBe(true);
      const other = clientFor(env.h, env.clientA);
      clients.push(other);
      await other.discoverVersions();
      // Closing one frees a slot.
      await clients[0]!.close();
      await new Promise((r) => setTimeout(r, 200));
      const again = clientFor(env.h, env.clientB);
      clients.push(again);
      await again.discoverVersions();
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
