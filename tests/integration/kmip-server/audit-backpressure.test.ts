import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { bool } from '../../../kmip-server/codec/types.js';
import type { KmipTestEnv } from './support.js';
import { clientFor, metricValue, metricsText, startEnv, unavailable } from './support.js';

const skip = unavailable();
let env: KmipTestEnv;
/** A store that keeps up with 400 events/s, a buffer of 1 500 and pressure from 150 on. */
const SHIP_RATE = 400;
const BUFFER = 1_500;
const PRESSURE = 150;
const ephemeral = { name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) };

beforeAll(async () => {
  if (skip) return;
  env = await startEnv({
    workers: 1,
    env: {
      OPENKCM_KMIP_AUDIT_SHIP_RATE: String(SHIP_RATE),
      OPENKCM_KMIP_AUDIT_BATCH: '50',
      OPENKCM_KMIP_AUDIT_BUFFER: String(BUFFER),
      OPENKCM_KMIP_AUDIT_PRESSURE: String(PRESSURE),
    },
  });
});
afterAll(async () => {
  await env?.h.stop();
});

describe.skipIf(skip)('audit back-pressure', () => {
  it('slows a load the audit store cannot keep up with down to what it stores, instead of refusing it', async () => {
    const clients = Array.from({ length: 8 }, () => clientFor(env.h, env.clientA));
    try {
      const { uniqueIdentifier: eph } = await clients[0]!.create({ attributes: [ephemeral] });
      let served = 0;
      const failures: string[] = [];
      const until = Date.now() + 4_000;
      // Unthrottled, these clients would fill the 1 500-event buffer in well under a second.
      await Promise.all(
        clients.map(async (c) => {
          while (Date.now() < until) {
            try {
              await c.get(eph);
              served++;
            } catch (e) {
              failures.push((e as Error).message);
            }
          }
        }),
      );
      const metrics = await metricsText(env.h);
      expect(failures).toEqual([]);
      expect(metricValue(metrics, 'openkcm_kmip_audit_refused_total')).toBe(0);
      expect(metricValue(metrics, 'openkcm_kmip_audit_throttled_total')).toBeGreaterThan(0);
      // Throughput follows the store: the pressure mark plus about 4 s of shipping, not thousands per second.
      expect(served).toBeGreaterThan(PRESSURE);
      expect(served).toBeLessThan(PRESSURE + SHIP_RATE * 4 * 2);
      expect(metricValue(metrics, 'openkcm_kmip_audit_buffer_depth')).toBeLessThan(BUFFER);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 60_000);
});
