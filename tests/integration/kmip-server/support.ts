import tls from 'node:tls';
import { KmipClient } from '../../../clients/kmip/client.js';
import { decodeTtlv } from '../../../kmip-server/codec/decoder.js';
import { TtlvFramer } from '../../../kmip-server/codec/framer.js';
import type { TtlvItem } from '../../../kmip-server/codec/types.js';
import type { ProtocolVersion } from '../../../kmip-server/codec/version.js';
import type { ClientCredentials, HarnessOptions, KmipHarness, TenantFixture } from '../../../kmip-server/testing/harness.js';
import { startKmipHarness } from '../../../kmip-server/testing/harness.js';
import { ferretDbBinary } from '../../support/emulators/ferretdb.js';
import { localKmsBinary } from '../../support/emulators/local-kms.js';

/**
 * Shared setup of the KMIP server integration tests: a real server process (two workers), its
 * own FerretDB and local-kms, and two tenants with one client certificate each.
 */
export interface KmipTestEnv {
  readonly h: KmipHarness;
  readonly a: TenantFixture;
  readonly b: TenantFixture;
  readonly clientA: ClientCredentials;
  readonly clientB: ClientCredentials;
}

/** Why these tests cannot run here (missing emulator binaries), or undefined. */
export function unavailable(): string | undefined {
  try {
    ferretDbBinary();
    localKmsBinary();
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

export async function startEnv(options: HarnessOptions = {}): Promise<KmipTestEnv> {
  const h = await startKmipHarness({ workers: 2, ...options });
  try {
    const a = await h.provisionTenant('tenant-a');
    const b = await h.provisionTenant('tenant-b');
    const clientA = await h.issueClient('tenant-a', 'mongodb');
    const clientB = await h.issueClient('tenant-b', 'mongodb');
    return { h, a, b, clientA, clientB };
  } catch (e) {
    await h.stop();
    throw e;
  }
}

export function clientFor(h: KmipHarness, creds: ClientCredentials, protocolVersion?: ProtocolVersion, port = h.server.port): KmipClient {
  return new KmipClient({ host: '127.0.0.1', port, ca: creds.caPem, cert: creds.certPem, key: creds.keyPem, protocolVersion, timeoutMs: 10_000 });
}

/** Runs `fn` with a client on a brand-new connection, then closes it (as libmongocrypt and mongod do). */
export async function withFreshClient<T>(h: KmipHarness, creds: ClientCredentials, fn: (c: KmipClient) => Promise<T>, version?: ProtocolVersion): Promise<T> {
  const c = clientFor(h, creds, version);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** A raw mTLS socket to the server, for byte-level tests. */
export async function rawSocket(h: KmipHarness, creds: ClientCredentials): Promise<tls.TLSSocket> {
  const s = tls.connect({ host: '127.0.0.1', port: h.server.port, ca: creds.caPem, cert: creds.certPem, key: creds.keyPem });
  s.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    s.once('secureConnect', () => resolve());
    s.once('error', reject);
  });
  return s;
}

export interface HandshakeAttempt {
  /** 'connected', 'closed' (the server hung up after the handshake) or the handshake's error. */
  outcome: string;
  /** Whether the handshake resumed the session it was offered. */
  resumed: boolean;
  /** The session ticket the server issued, for a later resumption. */
  session: Buffer | undefined;
}

/**
 * Tries a TLS handshake with `cert`/`key` (none: no client certificate) and, when given, a
 * session to resume; waits 300 ms for the server's verdict, then hangs up.
 */
export function attemptHandshake(o: { port: number; ca: string; cert?: string; key?: string; session?: Buffer }): Promise<HandshakeAttempt> {
  return new Promise((resolve) => {
    let ticket: Buffer | undefined;
    const s = tls.connect({ host: '127.0.0.1', port: o.port, ca: o.ca, cert: o.cert, key: o.key, session: o.session });
    s.on('session', (t: Buffer) => (ticket = t));
    s.once('secureConnect', () => {
      const resumed = s.isSessionReused();
      // TLS 1.3: the server's verdict on the client certificate (and its ticket) arrive after the client's Finished.
      s.once('data', () => undefined);
      setTimeout(() => {
        const alive = !s.destroyed;
        s.destroy();
        resolve({ outcome: alive ? 'connected' : 'closed', resumed, session: ticket });
      }, 300);
    });
    s.once('error', (e) => resolve({ outcome: `error: ${e.message}`, resumed: false, session: undefined }));
  });
}

export interface RawReply {
  /** Whole response messages, raw. */
  readonly messages: Buffer[];
  readonly closed: boolean;
}

/** Collects response messages from `s` until `count` arrived, the socket closed, or `timeoutMs` passed. */
export function collect(s: tls.TLSSocket, count: number, timeoutMs = 5_000): Promise<RawReply> {
  return new Promise((resolve) => {
    const messages: Buffer[] = [];
    const framer = new TtlvFramer({ maxMessageSize: 4 * 1024 * 1024 });
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.off('data', onData);
      s.off('close', onClose);
      resolve({ messages, closed });
    };
    const onClose = (): void => finish(true);
    const onData = (chunk: Buffer): void => {
      framer.push(chunk, (m) => {
        messages.push(Buffer.from(m));
        if (messages.length >= count) finish(false);
      });
    };
    const timer = setTimeout(() => finish(s.destroyed), timeoutMs);
    s.on('data', onData);
    s.once('close', onClose);
  });
}

export function decoded(m: Buffer): TtlvItem {
  return decodeTtlv(m);
}

export async function metricsText(h: KmipHarness): Promise<string> {
  return (await fetch(`${h.server.adminUrl}/metrics`)).text();
}

/** Sum of a Prometheus sample over all label sets matching `labels` (substring). */
export function metricValue(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith('{') || rest.startsWith(' '))) continue;
    if (labels && !rest.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
