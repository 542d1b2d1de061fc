import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipResultError } from '../../../clients/kmip/errors.js';
import { BlockCipherMode, CryptographicUsageMask, ResultReason } from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { bool } from '../../../kmip-server/codec/types.js';
import { verifyAuditChains } from '../../../lib/audit/verify.js';
import { auditRecords, countAuditRecords } from '../../support/audit-records.js';
import type { KmipTestEnv } from './support.js';
import { clientFor, metricValue, metricsText, startEnv, unavailable } from './support.js';

const skip = unavailable();
let env: KmipTestEnv;
const BUFFER = 25;
const ephemeral = { name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) };

beforeAll(async () => {
  if (skip) return;
  // A short back-pressure wait: this test is about refusing once the buffer is full.
  env = await startEnv({ workers: 1, env: { OPENKCM_KMIP_AUDIT_BUFFER: String(BUFFER), OPENKCM_KMIP_AUDIT_PRESSURE_WAIT_MS: '50' } });
});
afterAll(async () => {
  await env?.h.stop();
});

async function auditEvents(filter: Record<string, unknown>, atLeast: number): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = (await auditRecords(env.h.store.db, filter)) as unknown as Array<Record<string, unknown>>;
    if (events.length >= atLeast || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A metric's value once `ok` holds for it, or its last value after 10 s. */
async function metricSoon(name: string, ok: (v: number) => boolean): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = metricValue(await metricsText(env.h), name);
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(skip)('audit', () => {
  it('writes one event per operation with tenant, service identity, object, L2 version, result, latency and client address', async () => {
    const c = clientFor(env.h, env.clientA);
    try {
      const { uniqueIdentifier: uid } = await c.create({ name: 'audited' });
      await c.get(uid);
      await c.activate(uid);
      await c.get('no-such-object').catch(() => undefined);
    } finally {
      await c.close();
    }
    const events = await auditEvents({ tenantId: 'tenant-a', operation: { $in: ['kmip.Create', 'kmip.Get', 'kmip.Activate'] } }, 4);
    expect(events.map((e) => `${e.operation}:${e.result}`)).toEqual(['kmip.Create:success', 'kmip.Get:success', 'kmip.Activate:success', 'kmip.Get:failure']);
    const [created, got] = events;
    expect(created).toMatchObject({
      tenantId: 'tenant-a',
      actor: { kind: 'service', id: 'spiffe://openkcm/tenant/tenant-a/service/mongodb' },
      l2Version: 1,
      clientAddress: '127.0.0.1',
    });
    expect(got!.objectId).toBe(created!.objectId);
    expect(typeof got!.latencyMs).toBe('number');
    expect(events[3]).toMatchObject({ objectId: 'no-such-object', reason: 'object not found' });
    const report = await verifyAuditChains(env.h.store.db);
    expect(report.ok).toBe(true);
  });

  it('names the wrapping key of a wrapped Get in the event of the key that left', async () => {
    const c = clientFor(env.h, env.clientA);
    let kek: string;
    let uid: string;
    try {
      kek = (await c.create({ name: 'audited-kek', usageMask: CryptographicUsageMask.WrapKey })).uniqueIdentifier;
      await c.activate(kek);
      uid = (await c.create({ name: 'audited-wrapped' })).uniqueIdentifier;
      await c.get(uid, { wrap: { keyId: kek, mode: BlockCipherMode.NISTKeyWrap } });
    } finally {
      await c.close();
    }
    const [event] = await auditEvents({ tenantId: 'tenant-a', operation: 'kmip.Get', objectId: uid }, 1);
    expect(event).toMatchObject({ result: 'success', objectId: uid, details: { wrappingKey: kek } });
  });

  it('records each use of the L1 key (an L2 unwrap on a cache miss) as its own event, naming the key', async () => {
    // The first operation of tenant B in this server unwraps B's tenant key with its L1 key.
    const c = clientFor(env.h, env.clientB);
    try {
      await c.create({ attributes: [ephemeral] });
      await c.create({ attributes: [ephemeral] }); // served from the cache: no second unwrap
    } finally {
      await c.close();
    }
    await auditEvents({ tenantId: 'tenant-b', operation: 'kmip.Create' }, 2);
    const uses = await auditEvents({ tenantId: 'tenant-b', operation: 'l1.unwrap' }, 1);
    expect(uses).toHaveLength(1);
    expect(uses[0]).toMatchObject({
      actor: { kind: 'system', id: 'kmip-server' },
      result: 'success',
      l2Version: 1,
      details: { l1ConfigId: env.b.configId, l1KeyId: env.b.keyArn },
    });
  });

  it('fails closed: with the store gone, operations are served only while the audit buffer has room, then refused; service resumes when it returns', async () => {
    const c = clientFor(env.h, env.clientA);
    try {
      const { uniqueIdentifier: eph } = await c.create({ attributes: [ephemeral] });
      await c.get(eph); // warm: L2 cached, tenant state known
      const before = await countAuditRecords(env.h.store.db, { tenantId: 'tenant-a' });
      await new Promise((r) => setTimeout(r, 300)); // let the writer flush what it has
      await env.h.ferret.kill();
      let served = 0;
      let refused: KmipResultError | undefined;
      for (let i = 0; i < BUFFER * 3 && !refused; i++) {
        try {
          await c.get(eph); // needs no store at all — only the audit log
          served++;
        } catch (e) {
          refused = e as KmipResultError;
        }
      }
      expect(refused?.resultReason).toBe(ResultReason.GeneralFailure);
      expect(refused?.resultMessage).toBe('audit log unavailable: operation refused');
      expect(served).toBeGreaterThan(0);
      expect(served).toBeLessThanOrEqual(BUFFER);
      // Operators see it in /metrics: the shipper's passes fail and the store is marked unhealthy.
      expect(await metricSoon('openkcm_kmip_audit_store_healthy', (v) => v === 0)).toBe(0);
      expect(metricValue(await metricsText(env.h), 'openkcm_kmip_audit_ship_failures_total')).toBeGreaterThan(0);
      await env.h.ferret.restart();
      const deadline = Date.now() + 20_000;
      let back = false;
      while (!back && Date.now() < deadline) {
        back = await c.get(eph).then(
          () => true,
          () => new Promise<boolean>((r) => setTimeout(() => r(false), 200)),
        );
      }
      expect(back).toBe(true);
      // Everything that was served during the outage reached the audit log afterwards.
      const after = await auditEvents({ tenantId: 'tenant-a' }, before + served + 2);
      expect(after.length).toBeGreaterThanOrEqual(before + served + 2);
      expect(await metricSoon('openkcm_kmip_audit_store_healthy', (v) => v === 1)).toBe(1);
      expect(await metricSoon('openkcm_kmip_audit_journal_backlog_bytes', (v) => v === 0)).toBe(0);
      expect(metricValue(await metricsText(env.h), 'openkcm_kmip_audit_shipped_total')).toBeGreaterThanOrEqual(after.length);
    } finally {
      await c.close();
    }
  }, 60_000);
});
