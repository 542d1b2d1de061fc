import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { KmipResultError } from '../../../clients/kmip/errors.js';
import { ops } from '../../../clients/kmip/index.js';
import { BlockCipherMode, CryptographicUsageMask, EncodingOption, ObjectType, RevocationReasonCode, State } from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { enumeration, int, struct } from '../../../kmip-server/codec/types.js';
import { ObjectRepository } from '../../../kmip-server/objects/repository.js';
import type { KmipTestEnv } from './support.js';
import { clientFor, metricValue, metricsText, startEnv, unavailable, withFreshClient } from './support.js';

/**
 * The workers' read cache of stored objects (kmip-server/objects/read-cache.ts): key uses are
 * served from a recent copy, yet a change made through any worker of the node is seen by every
 * worker before it is answered, and a change made elsewhere (another node) within 1 s.
 */
const skip = unavailable();
let env: KmipTestEnv;

beforeAll(async () => {
  if (skip) return;
  env = await startEnv(); // two workers
});
afterAll(async () => {
  await env?.h.stop();
});

/** `n` operations, each on a brand-new connection, eight at a time (so both workers accept some). */
async function onFreshConnections<T>(n: number, fn: (c: ReturnType<typeof clientFor>) => Promise<T>): Promise<Array<T | KmipResultError>> {
  const results: Array<T | KmipResultError> = [];
  for (let i = 0; i < n; i += 8) {
    const round = Array.from({ length: Math.min(8, n - i) }, () =>
      withFreshClient(env.h, env.clientA, fn).catch((e: unknown) => {
        if (e instanceof KmipResultError) return e;
        throw e;
      }),
    );
    results.push(...(await Promise.all(round)));
  }
  return results;
}

async function activeKey(name: string): Promise<string> {
  const c = clientFor(env.h, env.clientA);
  try {
    const { uniqueIdentifier: uid } = await c.create({ name });
    await c.activate(uid);
    return uid;
  } finally {
    await c.close();
  }
}

describe.skipIf(skip)('object read cache', () => {
  it('serves repeated key uses from memory', async () => {
    const uid = await activeKey('cache-hits');
    const before = metricValue(await metricsText(env.h), 'openkcm_kmip_object_cache_hits_total');
    const c = clientFor(env.h, env.clientA);
    try {
      await c.get(uid); // clears Fresh (a write), then the copies serve
      for (let i = 0; i < 20; i++) await c.get(uid);
    } finally {
      await c.close();
    }
    expect(metricValue(await metricsText(env.h), 'openkcm_kmip_object_cache_hits_total') - before).toBeGreaterThanOrEqual(15);
  });

  it('a key destroyed through one worker is refused by every worker as soon as Destroy is answered', async () => {
    const uid = await activeKey('cache-destroy');
    const warm = await onFreshConnections(32, (c) => c.get(uid));
    expect(warm.every((r) => !(r instanceof KmipResultError))).toBe(true);
    await withFreshClient(env.h, env.clientA, async (c) => {
      await c.revoke(uid, RevocationReasonCode.CessationOfOperation);
      await c.destroy(uid);
    });
    const after = await onFreshConnections(32, (c) => c.get(uid));
    expect(after.filter((r) => !(r instanceof KmipResultError))).toHaveLength(0);
  });

  it('a key activated through one worker encrypts on every worker at once (a refusal is never taken from a copy)', async () => {
    const c = clientFor(env.h, env.clientA);
    let uid: string;
    try {
      uid = (await c.create({ name: 'cache-activate' })).uniqueIdentifier;
    } finally {
      await c.close();
    }
    await onFreshConnections(16, (k) => k.get(uid)); // copies of the Pre-Active key in both workers
    await withFreshClient(env.h, env.clientA, (k) => k.activate(uid));
    const encrypted = await onFreshConnections(32, (k) => k.encrypt(uid, Buffer.from('hello')));
    expect(encrypted.filter((r) => r instanceof KmipResultError)).toHaveLength(0);
  });

  it('serves the key-encryption key of wrapped Gets from memory too, and stops wrapping under it once it is revoked through any worker', async () => {
    const uid = await activeKey('cache-wrapped');
    const c = clientFor(env.h, env.clientA);
    let kek: string;
    try {
      kek = await c.register({
        objectType: ObjectType.SymmetricKey,
        object: ops.symmetricKeyObject(randomBytes(32)),
        attributes: [int(Tag.CryptographicUsageMask, CryptographicUsageMask.WrapKey), struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, BlockCipherMode.NISTKeyWrap)])],
      });
      await c.activate(kek);
      await c.get(uid); // clears Fresh (a write)
      const before = metricValue(await metricsText(env.h), 'openkcm_kmip_object_cache_hits_total');
      // RFC 3394 over the raw 32 key bytes: 40 bytes.
      for (let i = 0; i < 10; i++) expect((await c.get(uid, { wrap: { keyId: kek, encoding: EncodingOption.NoEncoding } })).keyMaterial).toHaveLength(40);
      // Both objects of each Get, the key and its KEK, from a copy (the first Get may read either).
      expect(metricValue(await metricsText(env.h), 'openkcm_kmip_object_cache_hits_total') - before).toBeGreaterThanOrEqual(18);
    } finally {
      await c.close();
    }
    await onFreshConnections(16, (k) => k.get(uid, { wrap: { keyId: kek } })); // copies of the KEK in both workers
    await withFreshClient(env.h, env.clientA, (k) => k.revoke(kek, RevocationReasonCode.CessationOfOperation));
    const after = await onFreshConnections(16, (k) => k.get(uid, { wrap: { keyId: kek } }));
    expect(after.every((r) => r instanceof KmipResultError && /Deactivated key cannot wrap a key/.test(r.resultMessage ?? ''))).toBe(true);
  });

  it('a key revoked on another node stops encrypting here within 1 s', async () => {
    const uid = await activeKey('cache-other-node');
    await onFreshConnections(16, (k) => k.encrypt(uid, Buffer.from('warm')));
    // Another node's write: straight to the store, which this node hears nothing about.
    const otherNode = new ObjectRepository(env.h.store.db);
    const o = (await otherNode.get('tenant-a', uid))!;
    const next = { ...o, attributes: o.attributes.clone() };
    next.attributes.set('State', enumeration(Tag.State, State.Deactivated));
    await otherNode.replace(next);
    await new Promise((r) => setTimeout(r, 1_100));
    const results = await onFreshConnections(16, (k) => k.encrypt(uid, Buffer.from('late')));
    expect(results.every((r) => r instanceof KmipResultError && /Deactivated key cannot encrypt/i.test(r.resultMessage ?? ''))).toBe(true);
  });
});
