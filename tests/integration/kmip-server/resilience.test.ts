import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipConnection } from '../../../clients/kmip/connection.js';
import { workerGlibcTunables } from '../../../kmip-server/cluster/malloc-tunables.js';
import { encodeTtlv } from '../../../kmip-server/codec/encoder.js';
import { Operation } from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { bool, struct } from '../../../kmip-server/codec/types.js';
import { requestMessageToTtlv } from '../../../kmip-server/protocol/messages.js';
import { HEARTBEAT_INTERVAL_MS } from '../../../lib/kmip-nodes/invalidation.js';
import { freePort } from '../../support/emulators/process.js';
import type { KmipTestEnv } from './support.js';
import { clientFor, metricValue, metricsText, startEnv, unavailable, withFreshClient } from './support.js';

const skip = unavailable();
let env: KmipTestEnv;
const ephemeral = { name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) };

beforeAll(async () => {
  if (!skip) env = await startEnv();
});
afterAll(async () => {
  await env?.h.stop();
});

/** Pids of the server's cluster workers (children of the primary). */
function workerPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(env.h.server.pid)], { encoding: 'utf8' });
  return out.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
}

describe.skipIf(skip)('process model', () => {
  it('serves health and aggregated metrics from the primary', async () => {
    const health = await (await fetch(`${env.h.server.adminUrl}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', workers: 2, expectedWorkers: 2 });
    await withFreshClient(env.h, env.clientA, async (c) => {
      const { uniqueIdentifier: uid } = await c.create({ attributes: [ephemeral] });
      for (let i = 0; i < 5; i++) await c.get(uid);
    });
    const m = await metricsText(env.h);
    expect(metricValue(m, 'openkcm_kmip_operations_total', 'operation="Get",result="success"')).toBeGreaterThanOrEqual(5);
    expect(metricValue(m, 'openkcm_kmip_operation_duration_seconds_count', 'operation="Get"')).toBeGreaterThanOrEqual(5);
    expect(metricValue(m, 'openkcm_kmip_tls_handshakes_total', 'kind="full"')).toBeGreaterThanOrEqual(1);
    expect(m).toMatch(/^openkcm_kmip_l2_cache_hit_ratio \d/m);
    expect(m).toMatch(/^openkcm_kmip_connections_open /m);
    expect(m).toMatch(/^openkcm_kmip_workers 2$/m);
  });

  it("starts its workers with glibc's enlarged per-thread malloc cache (kmip-server/cluster/malloc-tunables.ts)", () => {
    const pids = workerPids();
    expect(pids).toHaveLength(2);
    for (const pid of pids) {
      const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environment).toContain(`GLIBC_TUNABLES=${workerGlibcTunables(process.env.GLIBC_TUNABLES)}`);
    }
  });

  it('registers itself in kmipNodes with its admin URL and keeps the heartbeat fresh', async () => {
    const nodes = env.h.store.db.collection('kmipNodes');
    const first = await nodes.findOne({ adminUrl: env.h.server.adminUrl });
    expect(first).toBeTruthy();
    await new Promise((r) => setTimeout(r, HEARTBEAT_INTERVAL_MS + 500));
    const later = await nodes.findOne({ adminUrl: env.h.server.adminUrl });
    expect(later!.heartbeatAt.getTime()).toBeGreaterThan(first!.heartbeatAt.getTime());
  });

  it('resumes TLS sessions across workers: every ticket works on whichever worker accepts the connection', async () => {
    const conn = new KmipConnection({ host: '127.0.0.1', port: env.h.server.port, ca: env.clientA.caPem, cert: env.clientA.certPem, key: env.clientA.keyPem });
    const discover = encodeTtlv(
      requestMessageToTtlv({ header: { protocolVersion: { major: 1, minor: 4 }, batchCount: 1 }, batchItems: [{ operation: Operation.DiscoverVersions, payload: struct(Tag.RequestPayload, []) }] }),
    );
    try {
      for (let i = 0; i < 20; i++) {
        await conn.request(discover);
        // Drop the socket (not the client) so the next request reconnects with the saved session.
        (conn as unknown as { socket?: { destroy(): void } }).socket?.destroy();
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(conn.stats.handshakes).toBeGreaterThanOrEqual(20);
      expect(conn.stats.resumed).toBeGreaterThanOrEqual(conn.stats.handshakes - 2);
      expect(metricValue(await metricsText(env.h), 'openkcm_kmip_tls_handshakes_total', 'kind="resumed"')).toBeGreaterThanOrEqual(18);
    } finally {
      await conn.close();
    }
  });

  it('restarts a crashed worker and keeps serving meanwhile', async () => {
    const before = workerPids();
    expect(before).toHaveLength(2);
    process.kill(before[0]!, 'SIGKILL');
    // The other worker keeps serving while the crashed one is replaced.
    await withFreshClient(env.h, env.clientA, (c) => c.discoverVersions());
    const deadline = Date.now() + 30_000;
    let restarts = 0;
    while (Date.now() < deadline) {
      const m = await fetch(`${env.h.server.adminUrl}/metrics`);
      if (m.status === 200) restarts = metricValue(await m.text(), 'openkcm_kmip_worker_restarts_total');
      const health = (await (await fetch(`${env.h.server.adminUrl}/healthz`)).json()) as { workers: number };
      if (restarts === 1 && health.workers === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(restarts).toBe(1);
    const after = workerPids();
    expect(after).toHaveLength(2);
    expect(after).not.toContain(before[0]);
    for (let i = 0; i < 4; i++) await withFreshClient(env.h, env.clientA, (c) => c.discoverVersions());
  });

  it('is stateless: after a full restart, stored objects and ephemeral identifiers still resolve to the same keys', async () => {
    const c = clientFor(env.h, env.clientA);
    const { uniqueIdentifier: stored } = await c.create();
    const { uniqueIdentifier: eph } = await c.create({ attributes: [ephemeral] });
    const keys = [(await c.get(stored)).keyMaterial!, (await c.get(eph)).keyMaterial!];
    await c.close();
    await env.h.server.stop();
    env.h.server = await env.h.startServer();
    const again = clientFor(env.h, env.clientA);
    try {
      expect(Buffer.from((await again.get(stored)).keyMaterial!).equals(Buffer.from(keys[0]!))).toBe(true);
      expect(Buffer.from((await again.get(eph)).keyMaterial!).equals(Buffer.from(keys[1]!))).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('stops at start-up with the reason when its KMIP port is taken, instead of restarting workers', async () => {
    const squatter = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const started = Date.now();
    try {
      const error = await env.h
        .startServer({ OPENKCM_KMIP_PORT: String(port), OPENKCM_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'openkcm-kmip-taken-')) })
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error?.message).toMatch(/KMIP server exited with 1/);
      expect(error?.message).toContain(`KMIP port ${port} is already in use by another process; stop it or set OPENKCM_KMIP_PORT to a free port`);
      expect(error?.message).not.toContain('worker exited; restarting');
      // The harness would wait 60 s for a server that keeps restarting its workers.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
    // The running server was not disturbed.
    await withFreshClient(env.h, env.clientA, (c) => c.discoverVersions());
  });
});
