import { describe, expect, it } from 'vitest';
import { ops } from '../../../clients/kmip/index.js';
import { ResultReason } from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { bool } from '../../../kmip-server/codec/types.js';
import { countAuditRecords } from '../../support/audit-records.js';
import { clientFor, startEnv, unavailable, withFreshClient } from './support.js';

const skip = unavailable();
const ephemeral = { name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) };
const refused = { resultReason: ResultReason.GeneralFailure, resultMessage: 'audit log unavailable: operation refused' };

describe.skipIf(skip)('a full disk under the audit journal', () => {
  it('withholds the whole response of a batch whose audit events did not reach the journal, then refuses every request', async () => {
    // Every file the server writes stops growing at 128 KiB: the journal fills after a few hundred events.
    const env = await startEnv({ workers: 1, fileSizeLimitBytes: 128 * 1024, env: { OPENKCM_LOG_LEVEL: 'warn' } });
    try {
      const c = clientFor(env.h, env.clientA);
      const { uniqueIdentifier: eph } = await c.create({ attributes: [ephemeral] });
      let served = 0;
      let failed: Awaited<ReturnType<typeof c.batch>> | undefined;
      for (let i = 0; i < 2_000 && !failed; i++) {
        const results = await c.batch([ops.get(eph), ops.get(eph), ops.get(eph)]);
        if (results.every((r) => r.ok)) served++;
        else failed = results;
      }
      await c.close();
      expect(served).toBeGreaterThan(10);
      // Every key that was served has its event in the journal, which the shipper brings to the store.
      // (The refused batch may add one: a line of its write can have fit before the disk was full.)
      const servedGets = { tenantId: 'tenant-a', operation: 'kmip.Get', result: 'success' as const };
      const deadline = Date.now() + 10_000;
      while ((await countAuditRecords(env.h.store.db, servedGets)) < served * 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await countAuditRecords(env.h.store.db, servedGets)).toBeGreaterThanOrEqual(served * 3);
      // Not one key of that batch came back: the message as a whole is refused.
      expect(failed?.filter((r) => r.ok)).toEqual([]);
      expect(failed?.[0]).toMatchObject({ ok: false, error: refused });
      // The journal stays closed: a new connection's request is refused before it is served.
      await expect(withFreshClient(env.h, env.clientA, (f) => f.get(eph))).rejects.toMatchObject(refused);
    } finally {
      await env.h.stop();
    }
  }, 60_000);
});
