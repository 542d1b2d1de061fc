/**
 * `npm run bench:workflows`: the two journeys Temporal carries, measured end to end through the
 * API on a real stack (Temporal dev server, worker, FerretDB, local-kms, KMIP server).
 *
 * 1. Platform Mesh creates N tenants (signed webhooks, `--concurrency` at a time):
 *    webhook sent → tenant Ready (the tenant's `readyAt`, same machine clock).
 * 2. Each tenant's administrator activates an AWS KMS L1 key (local-kms):
 *    "Save & activate" clicked → the activation workflow reports the key effective, which it
 *    does only after every live KMIP node confirmed it dropped its cached keys.
 *
 *   npm run bench:workflows -- [--tenants 50] [--concurrency 10]
 */
import { randomUUID } from 'node:crypto';
import { call } from '../cli/http.js';
import { loadOrCreatePlatformKey } from '../lib/secrets/index.js';
import { stack } from '../tests/support/stack.js';

const arg = (name: string, fallback: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] ?? '') || fallback;
const tenants = arg('tenants', 50);
const concurrency = arg('concurrency', 10);
const POLL_MS = 20;

const s = stack();
const api = s.api.url;
const webhookSecret = (await loadOrCreatePlatformKey(s.secrets.webhookSecretFile)).current;
const runId = Date.now().toString(36);

async function provision(tenantId: string): Promise<number> {
  const sentAt = Date.now();
  const event = { id: randomUUID(), type: 'tenant.created', createdAt: new Date(sentAt).toISOString(), data: { tenantId, displayName: tenantId } };
  await call(api, 'POST', '/webhooks/platform-mesh', { body: event, signWith: webhookSecret });
  for (;;) {
    const { status, body } = await call<{ status: string; readyAt?: string }>(api, 'GET', `/platform/tenants/${tenantId}`, { signWith: webhookSecret, accept: [404] });
    if (status === 200 && body.status === 'ready' && body.readyAt) return Date.parse(body.readyAt) - sentAt;
    await sleep(POLL_MS);
  }
}

async function activate(tenantId: string): Promise<number> {
  const credentials = await call<{ username: string; password: string }>(api, 'POST', `/platform/tenants/${tenantId}/credentials`, { signWith: webhookSecret });
  const { body: session } = await call<{ token: string }>(api, 'POST', '/api/auth/login', { body: { tenantId, ...credentials.body } });
  const token = session.token;
  const { body: config } = await call<{ id: string }>(api, 'POST', '/api/l1/configs', {
    token,
    body: {
      kind: 'aws-kms',
      label: 'bench',
      settings: { keyArn: s.localKms.demoKeyArn, endpoint: s.localKms.endpoint },
      secrets: { accessKeyId: 'AKIAOPENKCMBENCH0001', secretAccessKey: 'bench-secret-access-key-0123456789' },
    },
  });
  const { body: test } = await call<{ ok: boolean }>(api, 'POST', `/api/l1/configs/${config.id}/test`, { token });
  if (!test.ok) throw new Error(`connection test failed for ${tenantId}`);
  const clickedAt = Date.now();
  const { body: started } = await call<{ runId: string }>(api, 'POST', `/api/l1/configs/${config.id}/activate`, { token });
  for (;;) {
    const { body } = await call<{ runId: string; status: string; step: string; result?: { ok: boolean; reason?: string } }>(api, 'GET', '/api/l1/activation', { token });
    if (body.runId !== started.runId) {
      await sleep(POLL_MS);
      continue;
    }
    // "effective": every KMIP node confirmed it dropped the tenant's cached state (audit and notification follow).
    if (body.status === 'running' && body.step === 'effective') return Date.now() - clickedAt;
    if (body.status !== 'running') {
      if (!body.result?.ok) throw new Error(`activation failed for ${tenantId}: ${body.result?.reason ?? body.status}`);
      return Date.now() - clickedAt;
    }
    await sleep(POLL_MS);
  }
}

async function inParallel<T>(items: readonly string[], work: (item: string) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

function summary(name: string, samples: number[], barMs: number): string[] {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return [name, String(sorted.length), `${at(50)}`, `${at(95)}`, `${sorted.at(-1)}`, `${barMs}`, at(95) <= barMs ? 'met' : 'NOT met'];
}

const ids = Array.from({ length: tenants }, (_, i) => `bench-${runId}-${i}`);
const started = Date.now();
const provisioning = await inParallel(ids, provision);
const activation = await inParallel(ids, activate);

const header = ['journey', 'n', 'p50 ms', 'p95 ms', 'max ms', 'bar (p95) ms', 'bar'];
const rows = [summary('webhook → tenant Ready', provisioning, 10_000), summary('Save & activate → effective on every KMIP node', activation, 5_000)];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(`\n${tenants} tenants, ${concurrency} at a time, ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`);
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of rows) console.log(line(row));

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
