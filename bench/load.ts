import tls from 'node:tls';

/**
 * A lean KMIP load generator: one TLS secure context shared by every connection, pre-encoded
 * request bytes, and response framing that only reads TTLV lengths (no decoding), so it
 * measures the server rather than itself.
 */
export interface LoadTarget {
  readonly host: string;
  readonly port: number;
  readonly context: tls.SecureContext;
  readonly servername?: string;
}

export interface LoadResult {
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** connect-per-request runs: share of handshakes that resumed a session. */
  readonly resumedShare?: number;
}

/** Calls `onMessage(byteLength)` for each whole TTLV message in a byte stream. */
export function ttlvCounter(onMessage: (bytes: number) => void): (chunk: Buffer) => void {
  let need = 0; // bytes still missing of the current message body
  const header = Buffer.alloc(8);
  let headerHave = 0;
  let size = 0;
  return (chunk: Buffer) => {
    let pos = 0;
    while (pos < chunk.length) {
      if (need === 0) {
        const take = Math.min(8 - headerHave, chunk.length - pos);
        chunk.copy(header, headerHave, pos, pos + take);
        headerHave += take;
        pos += take;
        if (headerHave < 8) return;
        headerHave = 0;
        size = 8 + header.readUInt32BE(4);
        need = size - 8;
        if (need === 0) onMessage(size);
        continue;
      }
      const take = Math.min(need, chunk.length - pos);
      need -= take;
      pos += take;
      if (need === 0) onMessage(size);
    }
  };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

class Latencies {
  private buf = new Float64Array(1 << 16);
  length = 0;
  push(ms: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = ms;
  }
  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort();
  }
}

function connect(t: LoadTarget, session?: Buffer): tls.TLSSocket {
  const s = tls.connect({ host: t.host, port: t.port, secureContext: t.context, servername: t.servername, session, minVersion: 'TLSv1.2' });
  s.setNoDelay(true);
  return s;
}

function summarize(lat: Latencies, seconds: number, errors: number, resumedShare?: number): LoadResult {
  const sorted = lat.sorted();
  return {
    ops: lat.length,
    seconds,
    opsPerSec: lat.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    errors,
    resumedShare,
  };
}

/**
 * `concurrency` persistent connections, each sending `request` and waiting for the answer, in a
 * loop, for `seconds` after `warmupSeconds`.
 */
export async function runPersistent(t: LoadTarget, request: Buffer, concurrency: number, seconds: number, warmupSeconds = 0.5): Promise<LoadResult> {
  const sockets: tls.TLSSocket[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const s = connect(t);
      await new Promise<void>((resolve, reject) => {
        s.once('secureConnect', () => resolve());
        s.once('error', reject);
      });
      sockets.push(s);
    }),
  );
  const lat = new Latencies();
  let errors = 0;
  const start = performance.now();
  const measureFrom = start + warmupSeconds * 1000;
  const stopAt = measureFrom + seconds * 1000;
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          let sent = 0;
          const onEnd = (): void => {
            s.removeAllListeners('data');
            resolve();
          };
          s.on(
            'data',
            ttlvCounter(() => {
              const now = performance.now();
              if (sent >= measureFrom) lat.push(now - sent);
              if (now >= stopAt) return onEnd();
              sent = performance.now();
              s.write(request);
            }),
          );
          s.on('error', () => {
            errors++;
            onEnd();
          });
          sent = performance.now();
          s.write(request);
        }),
    ),
  );
  const measured = (Math.min(performance.now(), stopAt) - measureFrom) / 1000;
  for (const s of sockets) s.destroy();
  return summarize(lat, measured, errors);
}

/**
 * A new TLS connection per request (what libmongocrypt does): connect, handshake (full, or
 * resuming the lane's last session), send, read the answer, close.
 */
export async function runConnectPerRequest(
  t: LoadTarget,
  request: Buffer,
  concurrency: number,
  seconds: number,
  resume: boolean,
  warmupSeconds = 0.5,
): Promise<LoadResult> {
  const lat = new Latencies();
  let errors = 0;
  let handshakes = 0;
  let resumed = 0;
  const start = performance.now();
  const measureFrom = start + warmupSeconds * 1000;
  const stopAt = measureFrom + seconds * 1000;
  const lane = async (): Promise<void> => {
    let session: Buffer | undefined;
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect(t, resume ? session : undefined);
        let done = false;
        const finish = (good: boolean): void => {
          if (done) return;
          done = true;
          s.end();
          resolve(good);
        };
        s.on('session', (sess: Buffer) => {
          session = sess;
        });
        s.once('secureConnect', () => {
          if (t0 >= measureFrom) {
            handshakes++;
            if (s.isSessionReused()) resumed++;
          }
          s.write(request);
        });
        s.on('data', ttlvCounter(() => finish(true)));
        s.once('error', () => finish(false));
        s.once('close', () => finish(false));
      });
      if (!ok) errors++;
      else if (t0 >= measureFrom) lat.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const measured = (Math.min(performance.now(), stopAt) - measureFrom) / 1000;
  return summarize(lat, measured, errors, handshakes === 0 ? undefined : resumed / handshakes);
}
