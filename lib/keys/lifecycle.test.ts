import { describe, expect, it } from 'vitest';
import { l2WrapContext } from './hierarchy.js';
import { UnwrappedL2Key } from './l2-key.js';
import { createL2Version, rewrapL2Versions } from './lifecycle.js';
import type { L1Reference, WrappedL2, WrappedL2Repository } from './repository.js';
import { SoftwareL1 } from './testing/software-l1.js';

/** The repository surface lifecycle uses, over a Map (the MongoDB one is covered by integration tests). */
function memoryRepository() {
  const records = new Map<number, WrappedL2>();
  const repository = {
    get: async (_tenantId: string, version: number) => records.get(version),
    list: async () => [...records.values()].sort((a, b) => a.version - b.version),
    insertIfAbsent: async (entry: Omit<WrappedL2, 'state' | 'createdAt'>) => {
      const existing = records.get(entry.version);
      if (existing) return { record: existing, created: false };
      const record = { ...entry, state: 'active' as const, createdAt: new Date() };
      records.set(entry.version, record);
      return { record, created: true };
    },
    replaceWrapped: async (_t: string, version: number, expected: Buffer, wrapped: Buffer, l1: L1Reference) => {
      const record = records.get(version);
      if (!record || !record.wrapped.equals(expected)) return false;
      records.set(version, { ...record, wrapped, l1 });
      return true;
    },
  };
  return { records, repository: repository as unknown as WrappedL2Repository };
}

const ctx = { tenantId: 'acme', serviceId: 's', objectId: 'o', purpose: 'kmip-object' };

async function derivedKey(l1: SoftwareL1, record: WrappedL2): Promise<Buffer> {
  const material = await l1.unwrap(record.wrapped, l2WrapContext('acme', record.version));
  return new UnwrappedL2Key('acme', record.version, material).derive(ctx, 32);
}

describe('L2 lifecycle', () => {
  it('stores only the wrapped key and is idempotent on retry', async () => {
    const l1 = new SoftwareL1();
    const { records, repository } = memoryRepository();
    const input = { repository, connector: l1, tenantId: 'acme', version: 1, l1: { configId: 'c1', keyId: 'k1' } };
    expect(await createL2Version(input)).toEqual({ created: true });
    const stored = records.get(1)!;
    expect(await createL2Version(input)).toEqual({ created: false });
    expect(records.get(1)!.wrapped.equals(stored.wrapped)).toBe(true);
    expect(stored.wrapped.length).toBeGreaterThan(32);
  });

  it('L1 rotation re-wraps every version and leaves every derived key identical', async () => {
    const oldL1 = new SoftwareL1();
    const newL1 = new SoftwareL1();
    const { records, repository } = memoryRepository();
    for (const version of [1, 2, 3]) {
      await createL2Version({ repository, connector: oldL1, tenantId: 'acme', version, l1: { configId: 'old', keyId: 'k-old' } });
    }
    const before = await Promise.all([...records.values()].map((r) => derivedKey(oldL1, r)));
    const toRef = { configId: 'new', keyId: 'k-new' };
    expect(await rewrapL2Versions({ repository, from: oldL1, to: newL1, tenantId: 'acme', toRef })).toEqual({ rewrapped: 3 });
    const after = await Promise.all([...records.values()].map((r) => derivedKey(newL1, r)));
    expect(after.map((k) => k.toString('hex'))).toEqual(before.map((k) => k.toString('hex')));
    await expect(oldL1.unwrap(records.get(1)!.wrapped, l2WrapContext('acme', 1))).rejects.toThrow();
    // A retried rotation finds nothing left to do.
    expect(await rewrapL2Versions({ repository, from: oldL1, to: newL1, tenantId: 'acme', toRef })).toEqual({ rewrapped: 0 });
  });
});
