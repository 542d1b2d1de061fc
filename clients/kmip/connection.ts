import tls from 'node:tls';
import { decodeTtlv } from '../../kmip-server/codec/decoder.js';
import { TtlvDecodeError } from '../../kmip-server/codec/errors.js';
import { TtlvFramer } from '../../kmip-server/codec/framer.js';
import type { TtlvItem } from '../../kmip-server/codec/types.js';
import { KmipConnectionError, KmipTimeoutError } from './errors.js';

export interface KmipTlsOptions {
  readonly host: string;
  readonly port: number;
  /** CA certificate(s) that sign the server certificate (PEM). */
  readonly ca: string | Buffer | Array<string | Buffer>;
  /** Client certificate chain and key (PEM) for mutual TLS. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** TLS SNI / hostname to verify; default `host`. */
  readonly servername?: string;
  readonly minVersion?: tls.SecureVersion;
  /** Extra options passed to `tls.connect` (e.g. ciphers). */
  readonly tls?: tls.ConnectionOptions;
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number;
  /** Connect + handshake timeout. Default 10 s. */
  readonly connectTimeoutMs?: number;
  readonly maxMessageSize?: number;
}

interface Pending {
  resolve(item: TtlvItem): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One TLS connection carrying KMIP messages. Requests are written as soon as they are made
 * (pipelined) and answered in order, so responses are matched first-in first-out. A closed or
 * failed connection fails what is in flight and is re-opened by the next request, resuming the
 * TLS session when the server allows it. Requests are never retried: KMIP operations such as
 * Create are not idempotent.
 */
export class KmipConnection {
  private socket: tls.TLSSocket | undefined;
  private connecting: Promise<tls.TLSSocket> | undefined;
  private framer = new TtlvFramer();
  private readonly pending: Pending[] = [];
  private session: Buffer | undefined;
  private closed = false;
  /** Handshakes done, and how many resumed a session (for tests and metrics). */
  readonly stats = { handshakes: 0, resumed: 0 };

  constructor(private readonly opts: KmipTlsOptions) {}

  /** Sends one encoded message and resolves with the decoded response message. */
  async request(message: Buffer): Promise<TtlvItem> {
    if (this.closed) throw new KmipConnectionError('client is closed');
    const socket = await this.connect();
    return new Promise<TtlvItem>((resolve, reject) => {
      const timeoutMs = this.opts.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        // Responses are matched by order; once one is late the rest cannot be trusted.
        this.fail(socket, new KmipTimeoutError(`no KMIP response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.push({ resolve, reject, timer });
      socket.write(message);
    });
  }

  private connect(): Promise<tls.TLSSocket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private open(): Promise<tls.TLSSocket> {
    const o = this.opts;
    return new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({
        host: o.host,
        port: o.port,
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        servername: o.servername ?? (/^[\d.:]+$/.test(o.host) ? undefined : o.host),
        minVersion: o.minVersion ?? 'TLSv1.2',
        session: this.session,
        ...o.tls,
      });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy(new KmipConnectionError(`TLS connect to ${o.host}:${o.port} timed out`));
      }, o.connectTimeoutMs ?? 10_000);
      const framer = new TtlvFramer({ maxMessageSize: o.maxMessageSize });
      socket.on('session', (s: Buffer) => {
        this.session = s;
      });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        this.stats.handshakes++;
        if (socket.isSessionReused()) this.stats.resumed++;
        this.socket = socket;
        this.framer = framer;
        resolve(socket);
      });
      socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(new KmipConnectionError(`KMIP connection to ${o.host}:${o.port} failed: ${err.message}`));
        this.fail(socket, new KmipConnectionError(`KMIP connection error: ${err.message}`));
      });
      socket.on('close', () => {
        clearTimeout(timer);
        reject(new KmipConnectionError(`KMIP connection to ${o.host}:${o.port} closed during the handshake`));
        this.fail(socket, new KmipConnectionError('KMIP connection closed by the server'));
      });
    });
  }

  private onData(socket: tls.TLSSocket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    try {
      this.framer.push(chunk, (msg) => {
        const p = this.pending.shift();
        if (!p) throw new KmipConnectionError('unsolicited KMIP message from the server');
        clearTimeout(p.timer);
        let item: TtlvItem;
        try {
          item = decodeTtlv(msg);
        } catch (e) {
          p.reject(e as Error);
          return;
        }
        p.resolve(item);
      });
    } catch (e) {
      const err = e instanceof TtlvDecodeError || e instanceof KmipConnectionError ? e : new KmipConnectionError(String(e));
      this.fail(socket, err);
    }
  }

  /** Fails everything in flight on `socket` and drops it; the next request reconnects. */
  private fail(socket: tls.TLSSocket, err: Error): void {
    if (socket !== this.socket) {
      socket.destroy();
      return;
    }
    this.socket = undefined;
    socket.destroy();
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Closes the connection (after in-flight responses if `graceful`). */
  async close(): Promise<void> {
    this.closed = true;
    const s = this.socket;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.end();
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 1000).unref();
    });
  }
}
