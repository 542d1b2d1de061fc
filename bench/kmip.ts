/**
 * KMIP server benchmark: `npm run bench:kmip` (or `npx tsx bench/kmip.ts`).
 *
 * One run on one machine: OpenKCM's KMIP server (real FerretDB, local-kms L1, mTLS), PyKMIP's
 * server, and a bare Node TLS echo server answering with same-sized messages (the ceiling), all
 * driven by one lean load generator (one TLS secure context, pre-encoded requests, length-only
 * response framing). Prints ops/s, p50 and p99 per case and checks the issue's bar as ratios
 * within this run.
 *
 * Each case runs BENCH_ROUNDS times, alternating with its echo reference, and the best round is
 * kept (the machine is shared; the least disturbed round is the most truthful). CPU time per
 * operation of the server, of its store (FerretDB: the audit log and objects) and of the load
 * generator is read from /proc for that round, which says where the time goes.
 *
 * Environment: BENCH_SECONDS (per round, default 3), BENCH_ROUNDS (default 3), BENCH_WORKERS
 * (server and echo cluster workers, default 1 — see the note printed with the table),
 * BENCH_CONCURRENCY ("1,16,64"), BENCH_SKIP_PYKMIP=1.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { KmipClient } from '../clients/kmip/client.js';
import { KmipConnection } from '../clients/kmip/connection.js';
import type { PyKmipServer } from '../clients/kmip/testing/pykmip.js';
import { writeTestPki } from '../clients/kmip/testing/certs.js';
import { startPyKmip } from '../clients/kmip/testing/pykmip.js';
import { encodeTtlv } from '../kmip-server/codec/encoder.js';
import { CryptographicAlgorithm, Operation, ResultStatus } from '../kmip-server/codec/enums.js';
import { Tag } from '../kmip-server/codec/tags.js';
import type { TtlvItem } from '../kmip-server/codec/types.js';
import { bool, bytes, enumeration, struct, text } from '../kmip-server/codec/types.js';
import type { ProtocolVersion } from '../kmip-server/codec/version.js';
import { parseResponseMessage, requestMessageToTtlv } from '../kmip-server/protocol/messages.js';
import type { KmipHarness } from '../kmip-server/testing/harness.js';
import { startKmipHarness } from '../kmip-server/testing/harness.js';
import { freePort } from '../tests/support/emulators/process.js';
import type { LoadResult, LoadTarget } from './load.js';
import { type Drained, drainAudit, serverMetric } from './audit-backlog.js';
import { cpuSeconds, generatorCpuSeconds, pidsMatching, processTree } from './cpu.js';
import { runConnectPerRequest, runPersistent } from './load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const CONNECT_CONCURRENCY = 16;
const V14: ProtocolVersion = { major: 1, minor: 4 };

function request(operation: number, payload: TtlvItem[], version = V14): Buffer {
  return encodeTtlv(requestMessageToTtlv({ header: { protocolVersion: version, batchCount: 1 }, batchItems: [{ operation, payload: struct(Tag.RequestPayload, payload) }] }));
}

const getRequest = (uid: string): Buffer => request(Operation.Get, [text(Tag.UniqueIdentifier, uid)]);
const encryptRequest = (uid: string, params: boolean): Buffer =>
  request(Operation.Encrypt, [
    text(Tag.UniqueIdentifier, uid),
    ...(params ? [struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, 2), enumeration(Tag.PaddingMethod, 3), bool(Tag.RandomIV, true)])] : []),
    bytes(Tag.Data, randomBytes(64)),
  ]);

/** Sends one request and returns the raw response (to check it succeeded, and to size the echo's answer). */
async function probe(conn: KmipConnection, wire: Buffer, what: string): Promise<Buffer> {
  const item = await conn.request(wire);
  const resp = parseResponseMessage(item);
  const bi = resp.batchItems[0];
  if (!bi || bi.resultStatus !== ResultStatus.Success) throw new Error(`${what} failed: ${bi?.resultMessage ?? 'no batch item'}`);
  return encodeTtlv(item);
}

/** CPU microseconds per operation: the server's processes, its store, and this load generator. */
interface CpuPerOp {
  server?: number;
  store?: number;
  generator: number;
}

interface Row {
  server: string;
  case: string;
  concurrency: number;
  r: LoadResult;
  cpu: CpuPerOp;
}

const rows: Row[] = [];

/** Audit events still to store when a case ended, and how long storing them took. */
const drains: Drained[] = [];
/** Audit events the server's shipper has stored in all (openkcm_kmip_audit_shipped_total). */
let shipped = 0;

/** Waits until every audit event of the last case is in the store (bench/audit-backlog.ts). */
async function drainAuditOf(h: KmipHarness): Promise<void> {
  const d = await drainAudit(h.server.adminUrl);
  if (d.events > 0) drains.push(d);
  shipped = await serverMetric(h.server.adminUrl, 'openkcm_kmip_audit_shipped_total');
}

interface Subject {
  readonly server: string;
  readonly pids: () => number[];
  readonly storePids: () => number[];
}

/** Runs one case once, with CPU accounting; keeps the best of the rounds seen so far. */
async function measure(subject: Subject, name: string, concurrency: number, run: () => Promise<LoadResult>): Promise<void> {
  const serverPids = subject.pids();
  const storePids = subject.storePids();
  const s0 = cpuSeconds(serverPids);
  const f0 = cpuSeconds(storePids);
  const g0 = generatorCpuSeconds();
  const r = await run();
  // Warm-up operations are counted in the CPU figures as well, so scale to the whole run.
  const ops = Math.max(1, r.ops * ((r.seconds + 0.5) / r.seconds));
  const perOp = (sec: number): number => (sec / ops) * 1e6;
  const cpu: CpuPerOp = {
    server: serverPids.length ? perOp(cpuSeconds(serverPids) - s0) : undefined,
    store: storePids.length ? perOp(cpuSeconds(storePids) - f0) : undefined,
    generator: perOp(generatorCpuSeconds() - g0),
  };
  const existing = rows.find((x) => x.server === subject.server && x.case === name && x.concurrency === concurrency);
  const resumed = r.resumedShare === undefined ? '' : ` resumed=${(r.resumedShare * 100).toFixed(0)}%`;
  const cpuText = `cpu µs/op server ${fmt(cpu.server)} store ${fmt(cpu.store)} gen ${fmt(cpu.generator)}`;
  process.stderr.write(
    `  ${subject.server.padEnd(8)} ${name.padEnd(30)} c=${String(concurrency).padEnd(3)} ${r.opsPerSec.toFixed(0).padStart(7)} ops/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  ${cpuText}${r.errors ? ` errors=${r.errors}` : ''}${resumed}\n`,
  );
  if (!existing) rows.push({ server: subject.server, case: name, concurrency, r, cpu });
  else if (r.opsPerSec > existing.r.opsPerSec) Object.assign(existing, { r, cpu });
}

const fmt = (n: number | undefined): string => (n === undefined ? '–' : n.toFixed(0));

async function startEcho(h: KmipHarness, responses: Map<number, Buffer>): Promise<{ port: number; pid: number | undefined; stop: () => void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openkcm-echo-'));
  const cert = await h.pki.issueServerCertificate();
  writeFileSync(path.join(dir, 'key.pem'), cert.privateKeyPem, { mode: 0o600 });
  writeFileSync(path.join(dir, 'cert.pem'), cert.chainPem);
  writeFileSync(path.join(dir, 'ca.pem'), cert.trustBundlePem);
  // A port the OS hands out now: a random pick can land on a client's ephemeral port in use.
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'echo-server.ts')], {
    env: {
      ...process.env,
      ECHO_PORT: String(port),
      ECHO_WORKERS: String(WORKERS),
      ECHO_KEY_FILE: path.join(dir, 'key.pem'),
      ECHO_CERT_FILE: path.join(dir, 'cert.pem'),
      ECHO_CA_FILE: path.join(dir, 'ca.pem'),
      ECHO_TICKET_KEYS: randomBytes(48).toString('base64'),
      ECHO_RESPONSES: JSON.stringify(Object.fromEntries([...responses].map(([k, v]) => [k, v.toString('base64')]))),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('echo ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pykmipTarget(h: KmipHarness): Promise<{ server: PyKmipServer; target: LoadTarget; get: Buffer; encrypt: Buffer }> {
  // PyKMIP gets certificates from the same PKI (ECDSA P-256), so TLS costs are comparable.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openkcm-pykmip-pki-'));
  const serverCert = await h.pki.issueServerCertificate();
  const client = await h.issueClient('bench', 'pykmip-bench');
  const server = await startPyKmip({
    pki: writeTestPki(dir, { caPem: serverCert.trustBundlePem, serverCertPem: serverCert.chainPem, serverKeyPem: serverCert.privateKeyPem, clientCertPem: client.certPem, clientKeyPem: client.keyPem }),
  });
  const kc = new KmipClient({ host: server.host, port: server.port, ca: client.caPem, cert: client.certPem, key: client.keyPem, protocolVersion: V14 });
  const created = await kc.create({ algorithm: CryptographicAlgorithm.AES, length: 256 });
  await kc.activate(created.uniqueIdentifier);
  await kc.close();
  const context = tls.createSecureContext({ ca: client.caPem, cert: client.certPem, key: client.keyPem });
  return { server, target: { host: server.host, port: server.port, context }, get: getRequest(created.uniqueIdentifier), encrypt: encryptRequest(created.uniqueIdentifier, true) };
}

async function main(): Promise<void> {
  process.stderr.write(`starting OpenKCM KMIP server (${WORKERS} worker${WORKERS === 1 ? '' : 's'}), FerretDB, local-kms…\n`);
  const h = await startKmipHarness({ workers: WORKERS, env: { OPENKCM_LOG_LEVEL: 'warn', ...(process.env.OPENKCM_KMIP_AUDIT_BATCH ? { OPENKCM_KMIP_AUDIT_BATCH: process.env.OPENKCM_KMIP_AUDIT_BATCH } : {}) } });
  let echo: { port: number; pid: number | undefined; stop: () => void } | undefined;
  let py: Awaited<ReturnType<typeof pykmipTarget>> | undefined;
  try {
    await h.provisionTenant('bench');
    const client = await h.issueClient('bench', 'bench');
    const kc = new KmipClient({ host: h.server.host, port: h.server.port, ca: client.caPem, cert: client.certPem, key: client.keyPem, protocolVersion: V14 });
    const persisted = await kc.create({ algorithm: CryptographicAlgorithm.AES, length: 256 });
    await kc.activate(persisted.uniqueIdentifier);
    const ephemeral = await kc.create({ attributes: [{ name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) }] });
    await kc.close();
    const cases: Array<[string, Buffer]> = [
      ['Get (ephemeral key)', getRequest(ephemeral.uniqueIdentifier)],
      ['Get (persisted key)', getRequest(persisted.uniqueIdentifier)],
      ['Encrypt 64 B (ephemeral key)', encryptRequest(ephemeral.uniqueIdentifier, false)],
      ['Encrypt 64 B (persisted key)', encryptRequest(persisted.uniqueIdentifier, false)],
    ];
    const conn = new KmipConnection({ host: h.server.host, port: h.server.port, ca: client.caPem, cert: client.certPem, key: client.keyPem });
    const responses = new Map<number, Buffer>();
    for (const [name, wire] of cases) responses.set(wire.length, await probe(conn, wire, name));
    await conn.close();
    const openkcm: LoadTarget = { host: h.server.host, port: h.server.port, context: tls.createSecureContext({ ca: client.caPem, cert: client.certPem, key: client.keyPem }) };
    echo = await startEcho(h, responses);
    const echoTarget: LoadTarget = { ...openkcm, port: echo.port };
    const getEph = cases[0]![1];

    const ferretPids = (): number[] => pidsMatching(`--sqlite-dir ${h.ferretDir}`);
    const ours: Subject = { server: 'openkcm', pids: () => processTree(h.server.pid), storePids: ferretPids };
    const ceiling: Subject = { server: 'echo', pids: () => processTree(echo?.pid), storePids: () => [] };
    process.stderr.write(`running ${ROUNDS} rounds of ${SECONDS} s per case\n`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of CONCURRENCY) {
        for (const [name, wire] of cases) {
          await drainAuditOf(h);
          await measure(ours, name, c, () => runPersistent(openkcm, wire, c, SECONDS));
        }
        await drainAuditOf(h);
        await measure(ceiling, 'Get-sized echo', c, () => runPersistent(echoTarget, getEph, c, SECONDS));
      }
      for (const resume of [false, true]) {
        const name = `connect+Get+close (${resume ? 'resumed' : 'full'})`;
        await drainAuditOf(h);
        await measure(ours, name, CONNECT_CONCURRENCY, () => runConnectPerRequest(openkcm, getEph, CONNECT_CONCURRENCY, SECONDS, resume));
        await measure(ceiling, name, CONNECT_CONCURRENCY, () => runConnectPerRequest(echoTarget, getEph, CONNECT_CONCURRENCY, SECONDS, resume));
      }
    }
    await drainAuditOf(h);
    if (process.env.BENCH_SKIP_PYKMIP !== '1') {
      py = await pykmipTarget(h);
      const peer: Subject = { server: 'pykmip', pids: () => [], storePids: () => [] };
      // PyKMIP is two to three orders of magnitude slower: one round is plenty.
      for (const c of CONCURRENCY) {
        await measure(peer, 'Get (persisted key)', c, () => runPersistent(py!.target, py!.get, c, SECONDS));
        await measure(peer, 'Encrypt 64 B (persisted key)', c, () => runPersistent(py!.target, py!.encrypt, c, SECONDS));
      }
      for (const resume of [false, true]) {
        const name = `connect+Get+close (${resume ? 'resumed' : 'full'})`;
        await measure(peer, name, CONNECT_CONCURRENCY, () => runConnectPerRequest(py!.target, py!.get, CONNECT_CONCURRENCY, SECONDS, resume));
      }
    }
    report();
  } finally {
    echo?.stop();
    await py?.server.stop();
    await h.stop();
  }
}

function find(server: string, name: string, c: number): LoadResult | undefined {
  return rows.find((r) => r.server === server && r.case === name && r.concurrency === c)?.r;
}

function report(): void {
  const lines: string[] = [];
  lines.push('');
  lines.push(`| server | case | conc. | ops/s | p50 ms | p99 ms | CPU µs/op: server | store | generator |`);
  lines.push(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const { server, case: name, concurrency, r, cpu } of rows) {
    const resumed = r.resumedShare === undefined ? '' : ` (${(r.resumedShare * 100).toFixed(0)}% resumed)`;
    lines.push(`| ${server} | ${name}${resumed} | ${concurrency} | ${r.opsPerSec.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${fmt(cpu.server)} | ${fmt(cpu.store)} | ${fmt(cpu.generator)} |`);
  }
  const checks: Array<[string, number | undefined, number]> = [];
  const ratio = (a?: LoadResult, b?: LoadResult, f: (x: LoadResult) => number = (x) => x.opsPerSec): number | undefined => (a && b ? f(a) / f(b) : undefined);
  for (const getCase of ['Get (ephemeral key)', 'Get (persisted key)']) {
    const ours = find('openkcm', getCase, 16);
    checks.push([`${getCase} c16 vs PyKMIP Get (≥ 100×)`, ratio(ours, find('pykmip', 'Get (persisted key)', 16)), 100]);
    checks.push([`${getCase} c16 vs echo (≥ 60 %)`, ratio(ours, find('echo', 'Get-sized echo', 16)), 0.6]);
    const p99 = ratio(ours, find('echo', 'Get-sized echo', 16), (x) => x.p99Ms);
    checks.push([`${getCase} p99 c16 / echo p99 (≤ 2×)`, p99 === undefined ? undefined : 1 / p99, 0.5]);
  }
  for (const kind of ['full', 'resumed']) {
    const name = `connect+Get+close (${kind})`;
    checks.push([`${name} vs echo (≥ 80 %)`, ratio(find('openkcm', name, CONNECT_CONCURRENCY), find('echo', name, CONNECT_CONCURRENCY)), 0.8]);
    checks.push([`${name} vs PyKMIP (≥ 3×)`, ratio(find('openkcm', name, CONNECT_CONCURRENCY), find('pykmip', name, CONNECT_CONCURRENCY)), 3]);
  }
  lines.push('');
  lines.push('| bar | measured | target | ok |');
  lines.push('| --- | ---: | ---: | :---: |');
  for (const [name, value, target] of checks) {
    const shown =
      value === undefined ? 'n/a' : name.includes('p99') ? `${(1 / value).toFixed(2)}×` : target < 1 ? `${(value * 100).toFixed(0)} %` : `${value.toFixed(1)}×`;
    const t = name.includes('p99') ? '≤ 2×' : target < 1 ? `≥ ${target * 100} %` : `≥ ${target}×`;
    lines.push(`| ${name} | ${shown} | ${t} | ${value === undefined ? '–' : value >= target ? 'yes' : 'NO'} |`);
  }
  const drained = drains.reduce((a, d) => ({ events: a.events + d.events, seconds: a.seconds + d.seconds }), { events: 0, seconds: 0 });
  lines.push('');
  lines.push(
    `Audit: every operation above was journaled before its response, and the shipper stored all ${shipped} events in FerretDB, most while the load ran: ` +
      `when a case ended, ${drained.events} (${((drained.events / Math.max(shipped, 1)) * 100).toFixed(0)} %) were still to store; draining them took ${drained.seconds.toFixed(1)} s in all, ` +
      `the shipper's 250 ms wait after a partial batch included. Sustained load above the shipping rate (OPENKCM_KMIP_AUDIT_SHIP_RATE) grows the journal backlog up to its pressure mark ` +
      `(half of OPENKCM_KMIP_AUDIT_BUFFER); then requests wait for the shipper, so sustained throughput is the store's.`,
  );
  lines.push('');
  lines.push(
    `Machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}. ` +
      `Server and echo ran ${WORKERS} cluster worker(s) each; FerretDB (the store: audit log and objects) and the load generator share the same cores. ` +
      `Best of ${ROUNDS} rounds of ${SECONDS} s per case.`,
  );
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
