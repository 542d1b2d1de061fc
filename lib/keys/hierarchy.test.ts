import { describe, expect, it } from 'vitest';
import { StoreKeyHierarchy, l2WrapContext, type TenantKeyState } from './hierarchy.js';
import { L2Cache } from './l2-cache.js';
import type { WrappedL2 } from './repository.js';
import { SoftwareL1 } from './testing/software-l1.js';
import { TenantKeyUnavailable } from './types.js';

const derivation = { tenantId: 'acme', serviceId: 'svc', objectId: 'o1', purpose: 'kmip-object' };

async function setup(state: TenantKeyState = { l1Status: 'active', currentL2Version: 1 }) {
  const l1 = new SoftwareL1();
  const records = new Map<string, WrappedL2>();
  for (const version of [1, 2]) {
    const wrapped = await l1.wrap(Buffer.alloc(32, version), l2WrapContext('acme', version));
    records.set(`acme/${version}`, { tenantId: 'acme', version, wrapped, l1: { configId: 'c1', keyId: 'k' }, state: 'active', createdAt: new Date() });
  }
  const tenants = new Map<string, TenantKeyState>([['acme', state]]);
  const cache = new L2Cache({ maxEntries: 16, ttlMs: 60_000 });
  const hierarchy = new StoreKeyHierarchy({
    repository: { get: async (tenantId, version) => records.get(`${tenantId}/${version}`) },
    cache,
    tenantState: (tenantId) => tenants.get(tenantId),
    connectorFor: async () => l1,
  });
  return { l1, tenants, cache, hierarchy };
}

describe('StoreKeyHierarchy', () => {
  it('unwraps once through L1, then serves from the cache', async () => {
    const { l1, hierarchy, cache } = await setup();
    const first = await hierarchy.current('acme');
    const again = await hierarchy.current('acme');
    expect(again).toBe(first);
    expect(l1.unwrapCalls).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 1 });
  });

  it('shares one unwrap among concurrent misses', async () => {
    const { l1, hierarchy } = await setup();
    const keys = await Promise.all(Array.from({ length: 20 }, () => hierarchy.version('acme', 2)));
    expect(new Set(keys).size).toBe(1);
    expect(l1.unwrapCalls).toBe(1);
  });

  it('refuses every version while L1 is not active, with the reason', async () => {
    for (const l1Status of ['inactive', 'activating', 'error', 'revoked'] as const) {
      const { hierarchy } = await setup({ l1Status, reason: 'key disabled in KMS' });
      const refusal = await hierarchy.version('acme', 1).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(TenantKeyUnavailable);
      expect((refusal as TenantKeyUnavailable).message).toContain(l1Status);
    }
  });

  it('refuses unknown tenants and versions', async () => {
    const { hierarchy } = await setup();
    await expect(hierarchy.current('globex')).rejects.toMatchObject({ reason: 'unknown-tenant' });
    await expect(hierarchy.version('acme', 9)).rejects.toMatchObject({ reason: 'unknown-version' });
  });

  it('invalidation zeroes cached keys and the next use unwraps again', async () => {
    const { l1, hierarchy } = await setup();
    const key = await hierarchy.current('acme');
    const derived = key.derive(derivation, 32);
    hierarchy.invalidate('acme');
    expect(key.isDestroyed).toBe(true);
    const reloaded = await hierarchy.current('acme');
    expect(reloaded.derive(derivation, 32).equals(derived)).toBe(true);
    expect(l1.unwrapCalls).toBe(2);
  });

  it('revocation during an unwrap discards the result (kill switch wins the race)', async () => {
    const { hierarchy, tenants } = await setup();
    const pending = hierarchy.current('acme');
    tenants.set('acme', { l1Status: 'revoked', reason: 'kill switch' });
    hierarchy.invalidate('acme');
    await expect(pending).rejects.toMatchObject({ reason: 'revoked' });
  });

  it('maps keystore failures to keystore-unavailable without losing the cause', async () => {
    const { hierarchy, l1 } = await setup();
    l1.enabled = false;
    const error = (await hierarchy.current('acme').catch((e: unknown) => e)) as TenantKeyUnavailable;
    expect(error.reason).toBe('keystore-unavailable');
    expect(error.message).toMatch(/disabled/);
  });
});

describe('StoreKeyHierarchy L1 use reporting', () => {
  it('reports each unwrap through L1, successful or refused, and nothing for cache hits', async () => {
    const { l1, cache } = await setup();
    const uses: Array<{ l2Version: number; error?: string }> = [];
    const records = new Map<number, WrappedL2>([[1, { tenantId: 'acme', version: 1, wrapped: await l1.wrap(Buffer.alloc(32, 1), l2WrapContext('acme', 1)), l1: { configId: 'c1', keyId: 'k' }, state: 'active', createdAt: new Date() }]]);
    const hierarchy = new StoreKeyHierarchy({
      repository: { get: async (_t, version) => records.get(version) },
      cache,
      tenantState: () => ({ l1Status: 'active', currentL2Version: 1 }),
      connectorFor: async () => l1,
      onUnwrap: (use) => uses.push(use),
    });
    await hierarchy.current('acme');
    await hierarchy.current('acme');
    hierarchy.invalidate('acme');
    l1.enabled = false;
    await hierarchy.current('acme').catch(() => undefined);
    expect(uses.map((u) => [u.l2Version, u.error === undefined])).toEqual([[1, true], [1, false]]);
    expect(uses[1]!.error).toMatch(/disabled/);
  });
});
