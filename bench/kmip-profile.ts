/**
 * Where the KMIP server's time goes: `npx tsx bench/kmip-profile.ts` (or `npm run bench:kmip-profile`).
 * Runs the server with V8's CPU profiler, drives ephemeral-key Gets at concurrency 16 for
 * PROFILE_SECONDS (default 5), and prints the functions with the most self time. PROFILE_KEY=persisted,
 * PROFILE_CONNECT=full|resumed, PROFILE_CONCURRENCY (default 16) and PROFILE_BUILT=1 choose what and which
 * build to profile.
 */
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { KmipClient } from '../clients/kmip/client.js';
import { encodeTtlv } from '../kmip-server/codec/encoder.js';
import { CryptographicAlgorithm, Operation } from '../kmip-server/codec/enums.js';
import { Tag } from '../kmip-server/codec/tags.js';
import { bool, struct, text } from '../kmip-server/codec/types.js';
import { requestMessageToTtlv } from '../kmip-server/protocol/messages.js';
import { startKmipHarness } from '../kmip-server/testing/harness.js';
import { runConnectPerRequest, runPersistent } from './load.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 5);
const TOP = Number(process.env.PROFILE_TOP ?? 40);
const CONCURRENCY = Number(process.env.PROFILE_CONCURRENCY ?? 16);

const profileDir = mkdtempSync(path.join(os.tmpdir(), 'openkcm-kmip-profile-'));
// From source by default, so self time is attributed per TypeScript file. PROFILE_BUILT=1 profiles
// the built file the stack runs: the loader's helpers inflate some functions from source.
const fromSource = process.env.PROFILE_BUILT !== '1';
const h = await startKmipHarness({ workers: 1, fromSource, env: { OPENKCM_LOG_LEVEL: 'warn' }, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
try {
  await h.provisionTenant('bench');
  const client = await h.issueClient('bench', 'bench');
  const kc = new KmipClient({ host: h.server.host, port: h.server.port, ca: client.caPem, cert: client.certPem, key: client.keyPem });
  // PROFILE_KEY=persisted profiles a stored key (one store read per Get) instead of an ephemeral one.
  const persisted = process.env.PROFILE_KEY === 'persisted';
  const eph = persisted
    ? await kc.create({ algorithm: CryptographicAlgorithm.AES, length: 256 })
    : await kc.create({ attributes: [{ name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) }] });
  if (persisted) await kc.activate(eph.uniqueIdentifier);
  await kc.close();
  const wire = encodeTtlv(
    requestMessageToTtlv({
      header: { protocolVersion: { major: 1, minor: 4 }, batchCount: 1 },
      batchItems: [{ operation: Operation.Get, payload: struct(Tag.RequestPayload, [text(Tag.UniqueIdentifier, eph.uniqueIdentifier)]) }],
    }),
  );
  const target = { host: h.server.host, port: h.server.port, context: tls.createSecureContext({ ca: client.caPem, cert: client.certPem, key: client.keyPem }) };
  // PROFILE_CONNECT=full|resumed: a new connection per request instead of persistent ones.
  const connect = process.env.PROFILE_CONNECT;
  const r = connect
    ? await runConnectPerRequest(target, wire, CONCURRENCY, SECONDS, connect === 'resumed')
    : await runPersistent(target, wire, CONCURRENCY, SECONDS);
  process.stderr.write(`Get (${persisted ? 'persisted' : 'ephemeral'}${connect ? `, connect ${connect}` : ''}) c${CONCURRENCY}: ${r.opsPerSec.toFixed(0)} ops/s, p99 ${r.p99Ms.toFixed(2)} ms\n`);
} finally {
  await h.stop();
}

// The worker's profile is the busiest one (the primary accepts connections and ships the audit journal).
const busy = (p: { nodes: ProfileNode[] }): number => p.nodes.reduce((a, n) => a + (n.callFrame.functionName === '(idle)' ? 0 : (n.hitCount ?? 0)), 0);
const profiles = readdirSync(profileDir).map((f) => JSON.parse(readFileSync(path.join(profileDir, f), 'utf8')) as { nodes: ProfileNode[] });
const profile = profiles.sort((a, b) => busy(b) - busy(a))[0];
if (!profile) throw new Error('no profile written');
const self = new Map<string, number>();
const byModule = new Map<string, number>();
let total = 0;
for (const n of profile.nodes) {
  const hits = n.hitCount ?? 0;
  total += hits;
  const file = n.callFrame.url.replace(/^.*\/(node_modules|work\/main)\//, '');
  const where = file ? `${file}:${n.callFrame.lineNumber + 1}` : '';
  const key = `${n.callFrame.functionName || '(anonymous)'} ${where}`;
  self.set(key, (self.get(key) ?? 0) + hits);
  // Many small costs add up: self time per module (a package, or a file of ours) shows where.
  const module = file ? (file.startsWith('node:') ? file : file.replace(/^((@[^/]+\/)?[^/]+)\/.*$/, (m, pkg: string) => (n.callFrame.url.includes('node_modules') ? pkg : m))) : n.callFrame.functionName || '(native)';
  byModule.set(module, (byModule.get(module) ?? 0) + hits);
}
const table = (title: string, rows: Map<string, number>): void => {
  console.log(`\n| self % | ${title} |\n| ---: | --- |`);
  for (const [name, hits] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`| ${((hits / total) * 100).toFixed(1)} | ${name} |`);
};
table('function', self);
table('module', byModule);
