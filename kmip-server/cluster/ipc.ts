/**
 * Messages between the primary and its workers (Node cluster IPC). The primary owns what must
 * be the same in every worker — the TLS credentials and session-ticket keys — and fans out
 * invalidations, waiting for every worker's answer.
 */
export type ToWorker =
  | { type: 'openkcm:init'; tls: { key: string; cert: string; ca: string }; ticketKeys: string }
  | { type: 'openkcm:ticket-keys'; ticketKeys: string }
  | { type: 'openkcm:invalidate'; id: number; tenantId: string }
  /** Another worker changed this object: forget it, then answer `openkcm:invalidated`. */
  | { type: 'openkcm:forget-object'; id: number; tenantId: string; uid: string }
  /** Every other worker has forgotten the object this worker changed (`id` is the worker's own). */
  | { type: 'openkcm:object-forgotten'; id: number }
  /** The audit shipper stored this chain up to `seq` (lets the worker's journal count its backlog). */
  | { type: 'openkcm:audit-shipped'; chainId: string; seq: number }
  | { type: 'openkcm:shutdown' };

export type FromWorker =
  /** Sent once the worker listens for messages (anything sent earlier would be lost). */
  | { type: 'openkcm:hello' }
  | { type: 'openkcm:ready' }
  | { type: 'openkcm:invalidated'; id: number; ok: boolean; error?: string }
  /** This worker stored a change to an object; the others must forget it before the change is answered. */
  | { type: 'openkcm:object-changed'; id: number; tenantId: string; uid: string }
  /** The worker could not listen on the KMIP port (taken, not permitted): a restart will not fix that. */
  | { type: 'openkcm:cannot-listen'; code: string | undefined; error: string };

export function isToWorker(m: unknown): m is ToWorker {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('openkcm:');
}

export function isFromWorker(m: unknown): m is FromWorker {
  return isToWorker(m as ToWorker);
}
