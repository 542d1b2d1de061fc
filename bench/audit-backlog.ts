/**
 * The KMIP server journals audit events and ships them into the store in the background
 * (lib/audit/shipper.ts). Benchmarks wait for that backlog to drain before each measurement,
 * so one case's audit trail is not stored during the next case, and report what it took.
 */
export interface Drained {
  events: number;
  seconds: number;
}

/** A metric of the KMIP server's /metrics, summed over its workers and label sets. */
export async function serverMetric(adminUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** Events journaled and not yet stored, summed over the server's workers. */
export function auditBacklog(adminUrl: string): Promise<number> {
  return serverMetric(adminUrl, 'openkcm_kmip_audit_buffer_depth');
}

/** Waits until the backlog is empty; returns how many events were pending and how long storing them took. */
export async function drainAudit(adminUrl: string, timeoutMs = 120_000): Promise<Drained> {
  const started = performance.now();
  const first = await auditBacklog(adminUrl);
  for (let d = first; d > 0; d = await auditBacklog(adminUrl)) {
    if (performance.now() - started > timeoutMs) throw new Error(`audit backlog of ${d} events not drained within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { events: first, seconds: first === 0 ? 0 : (performance.now() - started) / 1000 };
}
