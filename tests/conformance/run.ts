/**
 * OASIS KMIP 1.4 conformance runner.
 *
 *   tsx tests/conformance/run.ts --host 127.0.0.1 --port 5696 --ca ca.pem --cert client.pem --key client.key [--filter SKLC-M]
 *   tsx tests/conformance/run.ts --pykmip [--filter SKLC-M]     # against a PyKMIP server it starts itself
 *   tsx tests/conformance/run.ts [--openkcm] [--filter SKLC-M]  # against OpenKCM's KMIP server it starts itself
 *                                                               # (own FerretDB, local-kms L1, fresh tenant): `npm run conformance`
 *
 * Options: --dir <test-case folder> (default ../shared/kmip-testcases/v1.4), --filter <prefix or
 * regular expression> (repeatable), --json <file> (results as JSON), --verbose (every mismatch),
 * --timeout <ms> per request. Exit code 0 only when every selected file passed.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KmipConnection } from '../../clients/kmip/connection.js';
import type { PyKmipServer } from '../../clients/kmip/testing/pykmip.js';
import { startPyKmip } from '../../clients/kmip/testing/pykmip.js';
import type { KmipHarness } from '../../kmip-server/testing/harness.js';
import { startKmipHarness } from '../../kmip-server/testing/harness.js';
import type { CaseResult, Transport } from './runner.js';
import { formatReport, runCaseFile } from './runner.js';

export interface ConformanceOptions {
  readonly host: string;
  readonly port: number;
  readonly ca: string | Buffer;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly dir?: string;
  readonly filters?: readonly string[];
  readonly timeoutMs?: number;
  readonly onResult?: (r: CaseResult) => void;
}

export function defaultCaseDir(): string {
  const candidates = [
    process.env.KMIP_TESTCASES_DIR,
    path.resolve(process.cwd(), '../shared/kmip-testcases/v1.4'),
    path.resolve(import.meta.dirname, '../../../shared/kmip-testcases/v1.4'),
    '/work/shared/kmip-testcases/v1.4',
  ];
  const found = candidates.find((d): d is string => typeof d === 'string' && existsSync(d));
  if (!found) throw new Error('KMIP test cases not found; pass --dir or set KMIP_TESTCASES_DIR');
  return found;
}

/** Test-case files of `dir` selected by `filters` (prefixes, or regular expressions), sorted. */
export function selectCases(dir: string, filters: readonly string[] = []): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort();
  if (filters.length === 0) return files.map((f) => path.join(dir, f));
  const matchers = filters.map((f) => (/^[\w-]+$/.test(f) ? (n: string) => n.startsWith(f) : (n: string) => new RegExp(f).test(n)));
  return files.filter((f) => matchers.some((m) => m(f))).map((f) => path.join(dir, f));
}

/** Runs the selected files against a KMIP server over mutual TLS, one connection per file. */
export async function runConformance(o: ConformanceOptions): Promise<CaseResult[]> {
  const files = selectCases(o.dir ?? defaultCaseDir(), o.filters);
  const connect = async (): Promise<Transport> => {
    const conn = new KmipConnection({ host: o.host, port: o.port, ca: o.ca, cert: o.cert, key: o.key, timeoutMs: o.timeoutMs ?? 15_000 });
    return { request: (m) => conn.request(m), close: () => conn.close() };
  };
  const results: CaseResult[] = [];
  for (const f of files) {
    const r = await runCaseFile(f, connect);
    o.onResult?.(r);
    results.push(r);
  }
  return results;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      ca: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      dir: { type: 'string' },
      filter: { type: 'string', multiple: true },
      json: { type: 'string' },
      timeout: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      pykmip: { type: 'boolean', default: false },
      openkcm: { type: 'boolean', default: false },
      workers: { type: 'string' },
    },
  });
  let pykmip: PyKmipServer | undefined;
  let openkcm: KmipHarness | undefined;
  let target: Omit<ConformanceOptions, 'dir' | 'filters'>;
  if (values.pykmip) {
    pykmip = await startPyKmip();
    console.log(`PyKMIP ${pykmip.version} on ${pykmip.host}:${pykmip.port}`);
    target = { host: pykmip.host, port: pykmip.port, ca: pykmip.pki.caPem, cert: pykmip.pki.clientCertPem, key: pykmip.pki.clientKeyPem };
  } else if (values.openkcm || !values.port) {
    // No target given: start OpenKCM's own server, as `npm run conformance` does.
    openkcm = await startKmipHarness({ workers: values.workers ? Number(values.workers) : 2 });
    await openkcm.provisionTenant('conformance');
    const client = await openkcm.issueClient('conformance', 'conformance-runner');
    console.log(`OpenKCM KMIP server on ${openkcm.server.host}:${openkcm.server.port}`);
    target = { host: openkcm.server.host, port: openkcm.server.port, ca: client.caPem, cert: client.certPem, key: client.keyPem };
  } else {
    if (!values.ca || !values.cert || !values.key) {
      console.error('usage: run.ts --host <h> --port <p> --ca <ca.pem> --cert <client.pem> --key <client.key> [--filter SKLC-M] | --pykmip | --openkcm');
      return 2;
    }
    target = {
      host: values.host,
      port: Number(values.port),
      ca: readFileSync(values.ca),
      cert: readFileSync(values.cert),
      key: readFileSync(values.key),
    };
  }
  try {
    const results = await runConformance({
      ...target,
      dir: values.dir,
      filters: values.filter,
      timeoutMs: values.timeout ? Number(values.timeout) : undefined,
      onResult: (r) => process.stderr.write(`${r.passed ? '.' : 'F'}`),
    });
    process.stderr.write('\n');
    console.log(formatReport(results, values.verbose));
    if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
    return results.length > 0 && results.every((r) => r.passed) ? 0 : 1;
  } finally {
    await pykmip?.stop();
    await openkcm?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('tests/conformance/run.ts')) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
