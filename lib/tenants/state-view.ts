import type { TenantKeyState } from '../keys/hierarchy.js';
import type { TenantRecord } from './model.js';
import type { TenantRepository } from './repository.js';

export interface TenantStateViewOptions {
  /** How often to ask the store what changed; bounds how stale a node can be without a push. */
  pollIntervalMs: number;
  /** Re-read changes this far back, so a writer whose clock lags ours is not missed. */
  clockSkewMs?: number;
  /** Called when a tenant's key state changed, so caches can drop its keys. */
  onChange(tenantId: string, state: TenantKeyState | undefined): void;
  onError?(error: unknown): void;
}

/**
 * A process-local, always-fresh view of every tenant's L1 state for the KMIP hot path: a
 * synchronous map read per request, refreshed by polling "what changed since" and by explicit
 * refreshes when a workflow pushes an invalidation. A revocation therefore reaches every node
 * within one poll interval even if the push is lost.
 */
export class TenantStateView {
  private readonly states = new Map<string, TenantKeyState>();
  private readonly fetching = new Map<string, Promise<TenantKeyState | undefined>>();
  private lastSeen = new Date(0);
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly tenants: TenantRepository,
    private readonly options: TenantStateViewOptions,
  ) {}

  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The tenant's state; reads the store once for a tenant this view has not seen yet. */
  get(tenantId: string): TenantKeyState | Promise<TenantKeyState | undefined> | undefined {
    return this.states.get(tenantId) ?? this.fetch(tenantId);
  }

  /** Re-reads one tenant now (an invalidation push arrived). */
  async refresh(tenantId: string): Promise<TenantKeyState | undefined> {
    const record = await this.tenants.get(tenantId);
    this.apply(tenantId, record ? toKeyState(record) : undefined);
    return this.states.get(tenantId);
  }

  private fetch(tenantId: string): Promise<TenantKeyState | undefined> {
    let pending = this.fetching.get(tenantId);
    if (!pending) {
      pending = this.refresh(tenantId).finally(() => this.fetching.delete(tenantId));
      this.fetching.set(tenantId, pending);
    }
    return pending;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const since = new Date(this.lastSeen.getTime() - (this.options.clockSkewMs ?? 5_000));
      for (const record of await this.tenants.changedSince(since)) {
        this.apply(record._id, toKeyState(record));
        if (record.updatedAt > this.lastSeen) this.lastSeen = record.updatedAt;
      }
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.polling = false;
    }
  }

  private apply(tenantId: string, next: TenantKeyState | undefined): void {
    const previous = this.states.get(tenantId);
    if (next) this.states.set(tenantId, next);
    else this.states.delete(tenantId);
    if (!sameState(previous, next)) this.options.onChange(tenantId, next);
  }
}

export function toKeyState(record: TenantRecord): TenantKeyState {
  return {
    l1Status: record.status === 'offboarding' || record.status === 'offboarded' ? 'revoked' : record.l1.status,
    ...(record.l1.reason !== undefined ? { reason: record.l1.reason } : {}),
    ...(record.l1.currentL2Version !== undefined ? { currentL2Version: record.l1.currentL2Version } : {}),
    ...(record.l1.configId !== undefined ? { configId: record.l1.configId } : {}),
  };
}

function sameState(a: TenantKeyState | undefined, b: TenantKeyState | undefined): boolean {
  if (!a || !b) return a === b;
  return a.l1Status === b.l1Status && a.reason === b.reason && a.currentL2Version === b.currentL2Version && a.configId === b.configId;
}
