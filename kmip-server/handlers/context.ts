import type { Logger } from 'pino';
import type { AuditJournal } from '../../lib/audit/journal.js';
import type { KeyHierarchy } from '../../lib/keys/types.js';
import type { TenantKeyState } from '../../lib/keys/hierarchy.js';
import type { TtlvItem } from '../codec/types.js';
import type { VersionCode } from '../codec/version.js';
import { CipherStreams } from '../crypto/streams.js';
import type { KmipMetrics } from '../metrics.js';
import type { ObjectRepository } from '../objects/repository.js';
import type { BatchContext } from '../protocol/dispatch.js';
import type { Fields } from '../protocol/payload.js';

/** What every handler of a worker process shares. */
export interface KmipServices {
  readonly objects: ObjectRepository;
  readonly keys: KeyHierarchy;
  /** Polled tenant state (TenantStateView.get): synchronous once a tenant has been seen. */
  tenantState(tenantId: string): TenantKeyState | Promise<TenantKeyState | undefined> | undefined;
  /** The worker's audit journal: handlers record; the connection releases a response once its events are appended. */
  readonly audit: Pick<AuditJournal, 'accepting' | 'record' | 'appended'>;
  readonly metrics: KmipMetrics;
  readonly log: Logger;
  now(): Date;
}

/** The authenticated peer of one connection, from its client certificate. */
export interface PeerIdentity {
  readonly tenantId: string;
  readonly serviceId: string;
  readonly serial: string;
  /** SPIFFE id: the audit actor. */
  readonly actorId: string;
}

/**
 * Per-connection state handed to the dispatcher as its `app`: who is calling, from where, and
 * the key buffers to zero once the response that carries them has been encoded.
 */
export class Session {
  /** Key material referenced by the response being built; zeroed after encoding. */
  readonly wipe: Uint8Array[] = [];
  /**
   * Correlation values of the request being served: the client's (if it sent one) and the one
   * the server answers with, both recorded in the audit event.
   */
  correlation: { client: string; server: string } | undefined;
  private cipherStreams: CipherStreams | undefined;

  constructor(
    readonly peer: PeerIdentity,
    readonly clientAddress: string,
    readonly services: KmipServices,
  ) {}

  get streams(): CipherStreams {
    this.cipherStreams ??= new CipherStreams();
    return this.cipherStreams;
  }

  /** Zeroes every key buffer the last response referenced. */
  wipeAll(): void {
    const w = this.wipe;
    for (let i = 0; i < w.length; i++) w[i]!.fill(0);
    w.length = 0;
  }

  close(): void {
    this.wipeAll();
    this.cipherStreams?.clear();
  }
}

/** What a handler sees for one batch item: the session plus audit notes it fills in. */
export interface Op {
  readonly session: Session;
  readonly services: KmipServices;
  readonly tenantId: string;
  readonly serviceId: string;
  readonly version: VersionCode;
  readonly now: Date;
  /** For the audit event. */
  objectId?: string;
  l2Version?: number;
  crossTenant?: boolean;
  /** Other objects the operation used (e.g. the wrapping key of a wrapped Get), by role. */
  related?: Record<string, string>;
}

export type OpHandler = (payload: Fields, ctx: BatchContext, op: Op) => Promise<TtlvItem[]> | TtlvItem[];
