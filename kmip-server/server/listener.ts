import tls from 'node:tls';
import type { Logger } from 'pino';
import { PeerIdentityError } from '../../lib/pki/identity.js';
import type { KmipServices, PeerIdentity } from '../handlers/context.js';
import { Session } from '../handlers/context.js';
import type { KmipMetrics } from '../metrics.js';
import type { ConnectionDeps } from './connection.js';
import { KmipConnection } from './connection.js';
import { PeerCertificates } from './peer-certificates.js';

export interface ListenerTls {
  /** PEM private key and certificate chain of the server (ECDSA P-256 from the platform PKI). */
  readonly key: string;
  readonly cert: string;
  /** Trust bundle that client certificates must chain to (issuing CA + root). */
  readonly ca: string;
  /** 48 bytes shared by every worker, so a session ticket from one resumes on any other. */
  readonly ticketKeys: Buffer;
  readonly sessionTimeoutSeconds: number;
}

export interface ListenerOptions {
  readonly tls: ListenerTls;
  readonly connection: Omit<ConnectionDeps, 'log' | 'metrics'>;
  readonly services: KmipServices;
  /** Connections one identity (tenant + service) may hold in this process. */
  readonly maxConnectionsPerIdentity: number;
  readonly log: Logger;
  readonly metrics: KmipMetrics;
}

export type RefusalReason = 'identity' | 'revoked' | 'expired' | 'limit';

/** The same on every node and worker, so a session from any of them resumes on any other. */
const SESSION_ID_CONTEXT = 'openkcm-kmip';

/**
 * The KMIP TLS listener: TLS 1.2+ with a required client certificate chaining to the platform
 * CA (checked by OpenSSL during the handshake), then — before a byte of KMIP is read — the
 * identity is taken from the certificate, and revoked, expired (a resumed session skips the
 * chain check) or over-limit peers are dropped.
 */
export class KmipListener {
  readonly server: tls.Server;
  private readonly open = new Set<KmipConnection>();
  private readonly bySerial = new Map<string, Set<KmipConnection>>();
  private readonly perIdentity = new Map<string, number>();
  private readonly certificates = new PeerCertificates();

  constructor(private readonly o: ListenerOptions) {
    this.server = tls.createServer({
      key: o.tls.key,
      cert: o.tls.cert,
      ca: o.tls.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ticketKeys: o.tls.ticketKeys,
      // Node's default context hashes the command line: nodes started differently would not resume each other's tickets.
      sessionIdContext: SESSION_ID_CONTEXT,
      sessionTimeout: o.tls.sessionTimeoutSeconds,
      handshakeTimeout: 10_000,
      // No idle timeout: mongod keeps KMIP connections open between its periodic checks.
    });
    this.server.on('secureConnection', (socket) => this.accept(socket));
    this.server.on('tlsClientError', (err) => {
      o.metrics.handshakeFailures.inc();
      o.log.debug({ err: err.message }, 'TLS handshake failed');
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  setTicketKeys(keys: Buffer): void {
    this.server.setTicketKeys(keys);
  }

  /** Closes every open connection of these certificate serials (they were just revoked). */
  closeSerials(serials: readonly string[]): void {
    for (const s of serials) for (const c of this.bySerial.get(s) ?? []) c.destroy();
  }

  get connections(): number {
    return this.open.size;
  }

  /** Stops accepting; open connections finish their current request and close. */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.open) c.end();
    const timer = setTimeout(() => {
      for (const c of this.open) c.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }

  private refuse(socket: tls.TLSSocket, reason: RefusalReason, detail: Record<string, unknown>): void {
    this.o.metrics.connectionsRefused.inc({ reason });
    this.o.log.info({ reason, remote: socket.remoteAddress, ...detail }, 'connection refused');
    socket.destroy();
  }

  private accept(socket: tls.TLSSocket): void {
    const o = this.o;
    o.metrics.handshakes.inc({ kind: socket.isSessionReused() ? 'resumed' : 'full' });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    let peer: PeerIdentity;
    try {
      const cert = socket.getPeerX509Certificate();
      if (!cert) throw new PeerIdentityError('no-certificate', 'client presented no certificate');
      const facts = this.certificates.read(cert);
      peer = facts.peer;
      // A resumed session does not re-run chain validation, so check the validity window here.
      const now = Date.now();
      if (!(facts.notAfter > now) || !(facts.notBefore <= now + 60_000)) {
        this.refuse(socket, 'expired', { serial: peer.serial });
        return;
      }
    } catch (e) {
      this.refuse(socket, 'identity', { err: (e as Error).message });
      return;
    }
    if (o.connection.isRevoked(peer.serial)) {
      this.refuse(socket, 'revoked', { tenantId: peer.tenantId, serviceId: peer.serviceId, serial: peer.serial });
      return;
    }
    const identity = `${peer.tenantId}/${peer.serviceId}`;
    const count = this.perIdentity.get(identity) ?? 0;
    if (count >= o.maxConnectionsPerIdentity) {
      this.refuse(socket, 'limit', { tenantId: peer.tenantId, serviceId: peer.serviceId });
      return;
    }
    this.perIdentity.set(identity, count + 1);
    o.metrics.connections.inc();
    o.metrics.connectionsOpen.inc();
    const session = new Session(peer, socket.remoteAddress ?? 'unknown', o.services);
    const conn = new KmipConnection(socket, session, { ...o.connection, log: o.log, metrics: o.metrics }, () => {
      this.open.delete(conn);
      const set = this.bySerial.get(peer.serial);
      set?.delete(conn);
      if (set?.size === 0) this.bySerial.delete(peer.serial);
      const n = (this.perIdentity.get(identity) ?? 1) - 1;
      if (n <= 0) this.perIdentity.delete(identity);
      else this.perIdentity.set(identity, n);
      o.metrics.connectionsOpen.dec();
    });
    this.open.add(conn);
    let set = this.bySerial.get(peer.serial);
    if (!set) {
      set = new Set();
      this.bySerial.set(peer.serial, set);
    }
    set.add(conn);
  }
}
