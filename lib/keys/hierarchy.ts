import { KeystoreError, type L1Connector, type WrapContext } from '../keystores/types.js';
import type { L1Status } from '../tenants/model.js';
import type { L2Cache } from './l2-cache.js';
import { UnwrappedL2Key } from './l2-key.js';
import type { L1Reference, WrappedL2Repository } from './repository.js';
import { TenantKeyUnavailable, type KeyHierarchy } from './types.js';

/** The part of a tenant's state the hierarchy needs to decide whether its keys may be used. */
export interface TenantKeyState {
  l1Status: L1Status;
  reason?: string;
  currentL2Version?: number;
  configId?: string;
}

export interface KeyHierarchyDependencies {
  repository: Pick<WrappedL2Repository, 'get'>;
  cache: L2Cache;
  /** Where tenant state comes from: the store directly, or the KMIP server's polled view of it. */
  tenantState(tenantId: string): Promise<TenantKeyState | undefined> | TenantKeyState | undefined;
  connectorFor(tenantId: string, configId: string): Promise<L1Connector>;
  /** Told about every use of L1 (an L2 unwrap on a cache miss), for the audit trail. */
  onUnwrap?(use: L1Use): void;
}

/** One use of the customer's L1 key: which tenant key version it unwrapped, and how it went. */
export interface L1Use {
  tenantId: string;
  l2Version: number;
  l1: L1Reference;
  durationMs: number;
  /** Why the keystore refused, when it did. */
  error?: string;
}

export function l2WrapContext(tenantId: string, version: number): WrapContext {
  return { tenantId, purpose: 'l2', l2Version: version };
}

const MAX_RELOADS = 3;

/**
 * Serves unwrapped L2 versions: from the cache when warm, otherwise by asking the tenant's L1
 * keystore to unwrap the stored blob. Concurrent misses for the same version share one unwrap.
 * Every call first checks that the tenant's L1 is Active, so a revoked tenant gets nothing —
 * not even old versions.
 */
export class StoreKeyHierarchy implements KeyHierarchy {
  private readonly inflight = new Map<string, Promise<UnwrappedL2Key>>();
  /** Bumped by invalidate(), so an unwrap that finishes after a revocation is thrown away. */
  private readonly generations = new Map<string, number>();

  constructor(private readonly deps: KeyHierarchyDependencies) {}

  current(tenantId: string): Promise<UnwrappedL2Key> {
    return this.acquire(tenantId, undefined);
  }

  version(tenantId: string, version: number): Promise<UnwrappedL2Key> {
    return this.acquire(tenantId, version);
  }

  invalidate(tenantId: string): void {
    this.generations.set(tenantId, this.generation(tenantId) + 1);
    for (const id of this.inflight.keys()) if (id.startsWith(`${tenantId}\0`)) this.inflight.delete(id);
    this.deps.cache.deleteTenant(tenantId);
  }

  /**
   * The state check and the key must belong to the same generation: if the tenant was
   * invalidated (revoked, rotated) while we checked or unwrapped, look again from the start.
   */
  private async acquire(tenantId: string, requestedVersion: number | undefined): Promise<UnwrappedL2Key> {
    for (let attempt = 0; attempt < MAX_RELOADS; attempt++) {
      const generation = this.generation(tenantId);
      const state = await this.requireActive(tenantId);
      const version = requestedVersion ?? state.currentL2Version;
      if (version === undefined) {
        throw new TenantKeyUnavailable(tenantId, 'inactive', 'the tenant has no active tenant key');
      }
      const cached = this.deps.cache.get(tenantId, version);
      const key = cached ?? (await this.sharedUnwrap(tenantId, version));
      if (this.generation(tenantId) === generation && !key.isDestroyed) {
        if (!cached) this.deps.cache.set(key);
        return key;
      }
      // Unwrapped for a state that no longer holds: zero it unless the cache owns it.
      if (!cached) key.destroy();
    }
    throw new TenantKeyUnavailable(tenantId, 'keystore-unavailable', 'the tenant key kept changing; retry');
  }

  private generation(tenantId: string): number {
    return this.generations.get(tenantId) ?? 0;
  }

  private async requireActive(tenantId: string): Promise<TenantKeyState> {
    const state = await this.deps.tenantState(tenantId);
    if (!state) throw new TenantKeyUnavailable(tenantId, 'unknown-tenant', 'the tenant is not provisioned');
    if (state.l1Status !== 'active') {
      const reason = state.l1Status === 'error' || state.l1Status === 'revoked' || state.l1Status === 'activating'
        ? state.l1Status
        : 'inactive';
      const detail = state.reason ? `: ${state.reason}` : '';
      throw new TenantKeyUnavailable(tenantId, reason, `the tenant's L1 key is ${state.l1Status}${detail}`);
    }
    return state;
  }

  /** Concurrent misses for one version wait on the same unwrap. */
  private sharedUnwrap(tenantId: string, version: number): Promise<UnwrappedL2Key> {
    const id = `${tenantId}\0${version}`;
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.unwrap(tenantId, version).finally(() => {
        if (this.inflight.get(id) === pending) this.inflight.delete(id);
      });
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async unwrap(tenantId: string, version: number): Promise<UnwrappedL2Key> {
    const record = await this.deps.repository.get(tenantId, version);
    if (!record) {
      throw new TenantKeyUnavailable(tenantId, 'unknown-version', `tenant key version ${version} does not exist`);
    }
    const started = performance.now();
    const report = (error?: string) =>
      this.deps.onUnwrap?.({ tenantId, l2Version: version, l1: record.l1, durationMs: performance.now() - started, ...(error ? { error } : {}) });
    try {
      const connector = await this.deps.connectorFor(tenantId, record.l1.configId);
      const material = await connector.unwrap(record.wrapped, l2WrapContext(tenantId, version));
      report();
      return new UnwrappedL2Key(tenantId, version, material);
    } catch (error) {
      report(error instanceof Error ? error.message : 'unwrap failed');
      if (error instanceof KeystoreError) {
        throw new TenantKeyUnavailable(tenantId, 'keystore-unavailable', `the L1 keystore refused to unwrap: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}
