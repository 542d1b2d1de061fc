import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientCredentials, KmipHarness } from '../../kmip-server/testing/harness.js';
import { startKmipHarness } from '../../kmip-server/testing/harness.js';
import { unavailable } from '../integration/kmip-server/support.js';
import { runConformance } from './run.js';
import { formatReport } from './runner.js';

/**
 * The OASIS KMIP 1.4 families OpenKCM must pass, against its real server (the same run as
 * `npm run conformance`, restricted to the required families).
 */
const REQUIRED = ['SKLC-M', 'CS-BC-M', 'SKFF-M', 'OMOS-M', 'TL-M', 'SASED-M', 'TC-Q-', 'TC-MDO', 'TC-REKEY'];
const skip = unavailable();
let h: KmipHarness;
let client: ClientCredentials;

beforeAll(async () => {
  if (skip) return;
  h = await startKmipHarness({ workers: 2 });
  await h.provisionTenant('conformance');
  client = await h.issueClient('conformance', 'conformance-runner');
});
afterAll(async () => {
  await h?.stop();
});

describe.skipIf(skip)('OASIS KMIP 1.4 conformance (required families)', () => {
  it('passes every SKLC-M, CS-BC-M, SKFF-M, OMOS-M, TL-M, SASED-M, TC-Q, TC-MDO and TC-REKEY case', async () => {
    const results = await runConformance({ host: '127.0.0.1', port: h.server.port, ca: client.caPem, cert: client.certPem, key: client.keyPem, filters: REQUIRED });
    const report = formatReport(results, true);
    expect(results.length).toBe(45);
    expect(results.filter((r) => !r.passed).map((r) => r.file), report).toEqual([]);
  }, 180_000);

  it('passes the MAC, Hash, RNG and Derive Key cases: MAC, MAC Verify, Hash, RNG Retrieve, RNG Seed refused, a registered key\'s RNG, Derive Key, Get wrapped under a KEK, a key registered wrapped, Response Too Large', async () => {
    const files = ['CS-AC-M-4', 'CS-AC-M-5', 'CS-AC-M-6', 'CS-AC-M-7', 'CS-RNG-M-1', 'CS-RNG-O-4', 'TC-RNG-ATTR-1', 'TC-DERIVEKEY-1', 'AX-M-2', 'TC-WRAP-1', 'MSGENC-HTTPS-M-1', 'MSGENC-JSON-M-1', 'MSGENC-XML-M-1'];
    const results = await runConformance({ host: '127.0.0.1', port: h.server.port, ca: client.caPem, cert: client.certPem, key: client.keyPem, filters: files });
    expect(results.map((r) => r.file.replace(/-1[04]\.xml$/, '')).sort()).toEqual([...files].sort());
    expect(results.filter((r) => !r.passed).map((r) => r.file), formatReport(results, true)).toEqual([]);
  }, 60_000);
});
