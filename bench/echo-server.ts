/**
 * The benchmark's ceiling: a bare Node TLS server with the KMIP server's TLS setup (same PKI,
 * ECDSA P-256 certificate, client certificate required, shared session-ticket keys, the same
 * number of cluster workers, started with the same malloc tunables) that frames each request
 * by its TTLV length and answers with a canned response of the size the real server would
 * send. No decoding, no keys, no store.
 *
 * Environment: ECHO_PORT, ECHO_WORKERS, ECHO_KEY_FILE, ECHO_CERT_FILE, ECHO_CA_FILE,
 * ECHO_TICKET_KEYS (base64, 48 bytes), ECHO_RESPONSES (JSON {"<request bytes>": "<response base64>"}).
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { workerGlibcTunables } from '../kmip-server/cluster/malloc-tunables.js';
import { ttlvCounter } from './load.js';

const env = process.env;
const workers = Number(env.ECHO_WORKERS ?? 1);

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork({ GLIBC_TUNABLES: workerGlibcTunables(process.env.GLIBC_TUNABLES) }).on('message', (m: unknown) => {
      if (m === 'ready' && ++ready === workers) console.log('echo ready');
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  const responses = new Map<number, Buffer>(
    Object.entries(JSON.parse(env.ECHO_RESPONSES ?? '{}') as Record<string, string>).map(([k, v]) => [Number(k), Buffer.from(v, 'base64')]),
  );
  const fallback = [...responses.values()][0] ?? Buffer.alloc(8);
  const server = tls.createServer(
    {
      key: readFileSync(env.ECHO_KEY_FILE!),
      cert: readFileSync(env.ECHO_CERT_FILE!),
      ca: readFileSync(env.ECHO_CA_FILE!),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ticketKeys: Buffer.from(env.ECHO_TICKET_KEYS!, 'base64'),
      sessionTimeout: 3600,
    },
    (socket) => {
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      socket.on('data', ttlvCounter((bytes) => socket.write(responses.get(bytes) ?? fallback)));
    },
  );
  server.listen(Number(env.ECHO_PORT), '127.0.0.1', () => process.send?.('ready'));
}
