import { randomBytes } from 'node:crypto';
import { zeroize } from '../crypto/zero.js';
import type { L1Connector } from '../keystores/types.js';
import { l2WrapContext } from './hierarchy.js';
import type { L1Reference, WrappedL2Repository } from './repository.js';

/**
 * Key-management steps the workflows run as activities. Each is idempotent: a retry after a
 * crash finds the work done and does not create a second key.
 */

export interface CreateL2Input {
  repository: WrappedL2Repository;
  connector: L1Connector;
  tenantId: string;
  version: number;
  l1: L1Reference;
}

/** Generates an L2 version from the CSPRNG, wraps it under L1 and stores only the wrapped blob. */
export async function createL2Version(input: CreateL2Input): Promise<{ created: boolean }> {
  const existing = await input.repository.get(input.tenantId, input.version);
  if (existing) return { created: false };
  const material = randomBytes(32);
  try {
    const wrapped = await input.connector.wrap(material, l2WrapContext(input.tenantId, input.version));
    const { created } = await input.repository.insertIfAbsent({
      tenantId: input.tenantId,
      version: input.version,
      wrapped,
      l1: input.l1,
    });
    return { created };
  } finally {
    zeroize(material);
  }
}

/** Proves L1 can unwrap a stored version right now (activation and health checks). */
export async function checkL2Unwraps(repository: WrappedL2Repository, connector: L1Connector, tenantId: string, version: number): Promise<void> {
  const record = await repository.get(tenantId, version);
  if (!record) throw new Error(`tenant key version ${version} does not exist`);
  zeroize(await connector.unwrap(record.wrapped, l2WrapContext(tenantId, version)));
}

export interface RewrapInput {
  repository: WrappedL2Repository;
  from: L1Connector;
  to: L1Connector;
  tenantId: string;
  toRef: L1Reference;
}

/**
 * L1 rotation: every L2 version is unwrapped by the old L1 and wrapped by the new one. The L2
 * bytes do not change, so every derived key stays identical. Versions already under the new
 * L1 are skipped, which makes a retried rotation resume where it stopped.
 */
export async function rewrapL2Versions(input: RewrapInput): Promise<{ rewrapped: number }> {
  let rewrapped = 0;
  for (const record of await input.repository.list(input.tenantId)) {
    if (record.l1.configId === input.toRef.configId && record.l1.keyId === input.toRef.keyId) continue;
    const context = l2WrapContext(input.tenantId, record.version);
    const material = await input.from.unwrap(record.wrapped, context);
    try {
      const wrapped = await input.to.wrap(material, context);
      if (await input.repository.replaceWrapped(input.tenantId, record.version, record.wrapped, wrapped, input.toRef)) {
        rewrapped++;
      }
    } finally {
      zeroize(material);
    }
  }
  return { rewrapped };
}
