import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { AuditUnavailableError } from '../../lib/audit/writer.js';
import { decodeTtlv } from '../codec/decoder.js';
import { ResultReason } from '../codec/enums.js';
import { TtlvDecodeError } from '../codec/errors.js';
import { TtlvFramer } from '../codec/framer.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType } from '../codec/types.js';
import type { ProtocolVersion } from '../codec/version.js';
import { auditUnavailable } from '../handlers/audited.js';
import type { Session } from '../handlers/context.js';
import type { KmipMetrics } from '../metrics.js';
import type { DispatchOptions } from '../protocol/dispatch.js';
import { dispatch, encodeResponse, messageFailure, responseTooLarge } from '../protocol/dispatch.js';
import { KmipError, invalidMessage } from '../protocol/errors.js';
import type { RequestMessage, ResponseMessage } from '../protocol/messages.js';
import { parseRequestMessage } from '../protocol/messages.js';

export interface ConnectionDeps {
  readonly dispatch: DispatchOptions<Session>;
  readonly maxMessageBytes: number;
  /** Checked before every request, so a certificate revoked mid-connection stops at once. */
  isRevoked(serial: string): boolean;
  /** Back-pressure: a promise to wait on before serving, when the audit log needs to catch up. */
  admission?(): Promise<void> | undefined;
  readonly log: Logger;
  readonly metrics: KmipMetrics;
}

type Queued = { readonly wire: Buffer } | { readonly fatal: TtlvDecodeError };

/** Requests waiting on one connection before it stops reading (pipelining clients are bounded). */
const MAX_QUEUED = 32;
const DEFAULT_VERSION: ProtocolVersion = { major: 1, minor: 0 };

/**
 * One authenticated KMIP connection: frames the byte stream, serves requests strictly in
 * order (KMIP responses carry no request id, so order is the only match), holds each response
 * until the audit journal has the events of its message, writes it with one write, and zeroes
 * the key material a response carried once it is on its way. No idle timeout: mongod keeps its
 * connections open.
 *
 * A malformed message gets an Invalid Message response and the connection is closed (the
 * stream cannot be trusted after it); a message over the size limit is refused from its
 * header alone, before anything is allocated for it.
 */
export class KmipConnection {
  private readonly framer: TtlvFramer;
  private readonly queue: Queued[] = [];
  private busy = false;
  private paused = false;
  private closed = false;

  constructor(
    private readonly socket: TLSSocket,
    private readonly session: Session,
    private readonly deps: ConnectionDeps,
    onClose: () => void,
  ) {
    this.framer = new TtlvFramer({ maxMessageSize: deps.maxMessageBytes });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => deps.log.debug({ err: err.message, tenantId: session.peer.tenantId }, 'connection error'));
    socket.once('close', () => {
      this.closed = true;
      this.queue.length = 0;
      session.close();
      onClose();
    });
  }

  /** Closes the connection now (certificate revoked, shutdown). */
  destroy(): void {
    this.socket.destroy();
  }

  /** Ends the connection after the response in progress (graceful shutdown). */
  end(): void {
    if (!this.busy) this.socket.end();
    else this.queue.length = 0;
  }

  private onData(chunk: Buffer): void {
    try {
      this.framer.push(chunk, (wire) => this.enqueue({ wire }));
    } catch (e) {
      if (!(e instanceof TtlvDecodeError)) throw e;
      this.enqueue({ fatal: e });
    }
  }

  private enqueue(q: Queued): void {
    if (this.closed) return;
    this.queue.push(q);
    if (this.queue.length >= MAX_QUEUED && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const q = this.queue.shift()!;
        if ('fatal' in q) {
          await this.refuseStream(q.fatal);
          return;
        }
        // Back-pressure from the audit log: waiting here also stops reading (MAX_QUEUED), down to TCP.
        const wait = this.deps.admission?.();
        if (wait) await wait;
        await this.serve(q.wire);
      }
    } catch (e) {
      this.deps.log.error({ err: e }, 'connection failed');
      this.socket.destroy();
    } finally {
      this.busy = false;
    }
    if (this.paused && !this.closed) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** A framing error: answer if the stream allowed reading a version, then close. */
  private async refuseStream(err: TtlvDecodeError): Promise<void> {
    this.deps.metrics.malformed.inc({ problem: err.problem });
    const message = err.problem === 'too-large' ? `request exceeds the maximum message size of ${this.deps.maxMessageBytes} bytes` : `malformed request: ${err.problem}`;
    await this.write(encodeResponse(messageFailure(DEFAULT_VERSION, invalidMessage(message))), false);
    this.queue.length = 0;
    this.socket.end();
  }

  private async serve(wire: Buffer): Promise<void> {
    const deps = this.deps;
    let version = DEFAULT_VERSION;
    let request: RequestMessage | undefined;
    let response: ResponseMessage;
    let closeAfter = false;
    try {
      let item: TtlvItem;
      try {
        item = decodeTtlv(wire);
      } finally {
        // The request may carry a key (Register) or plaintext (Encrypt); the decoder made copies.
        wire.fill(0);
      }
      version = requestVersion(item) ?? DEFAULT_VERSION;
      request = parseRequestMessage(item);
      if (deps.isRevoked(this.session.peer.serial)) {
        deps.metrics.connectionsRefused.inc({ reason: 'revoked' });
        deps.log.warn({ tenantId: this.session.peer.tenantId, serviceId: this.session.peer.serviceId, serial: this.session.peer.serial }, 'certificate revoked; closing connection');
        this.socket.destroy();
        return;
      }
      const clientCorrelation = request.header.clientCorrelationValue;
      if (clientCorrelation !== undefined) {
        // A client that correlates gets a server value too; it names this request in the audit log.
        this.session.correlation = { client: clientCorrelation, server: nextServerCorrelation() };
        response = await dispatch(request, this.session, deps.dispatch);
        response = { ...response, header: { ...response.header, serverCorrelationValue: this.session.correlation.server } };
        this.session.correlation = undefined;
      } else {
        response = await dispatch(request, this.session, deps.dispatch);
      }
    } catch (e) {
      this.session.correlation = undefined;
      if (e instanceof TtlvDecodeError) {
        deps.metrics.malformed.inc({ problem: e.problem });
        response = messageFailure(version, invalidMessage(`malformed request: ${e.problem}`));
        closeAfter = true;
      } else if (e instanceof KmipError) {
        deps.metrics.malformed.inc({ problem: 'invalid-message' });
        response = messageFailure(version, e);
      } else {
        deps.log.error({ err: e }, 'request failed');
        response = messageFailure(version, new KmipError(ResultReason.GeneralFailure, 'internal server error'));
        closeAfter = true;
      }
    }
    // Fail closed: no result leaves before the audit events of its message are in the journal.
    // One wait per message, so a batch of a hundred items costs one journal write.
    try {
      await this.session.services.audit.appended();
    } catch (e) {
      if (!(e instanceof AuditUnavailableError)) throw e;
      deps.log.error({ err: e.message, tenantId: this.session.peer.tenantId }, 'audit log unavailable: withholding the response');
      response = messageFailure(version, auditUnavailable());
    }
    const sensitive = this.session.wipe.length > 0;
    let out: Buffer;
    try {
      out = encodeResponse(response);
      const max = request?.header.maximumResponseSize;
      if (request && max !== undefined && max > 0 && out.length > max) {
        out.fill(0);
        out = encodeResponse(responseTooLarge(request, out.length));
      }
    } finally {
      // The encoded response is now the only copy the server still needs.
      this.session.wipeAll();
    }
    await this.write(out, sensitive);
    if (closeAfter) this.socket.end();
  }

  /** One write per response; a response with key material is zeroed once the socket is done with it. */
  private write(out: Buffer, sensitive: boolean): Promise<void> | void {
    if (this.closed || this.socket.destroyed) {
      if (sensitive) out.fill(0);
      return;
    }
    const flushed = this.socket.write(out, sensitive ? () => out.fill(0) : undefined);
    if (flushed) return;
    // The client is not reading: wait before serving more, so output cannot pile up.
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
}

let correlationCounter = 0;
const correlationPrefix = `${process.pid.toString(16).toUpperCase()}`;

/** `<worker pid hex>-<n>`: unique per process lifetime, short, and greppable across logs and audit. */
function nextServerCorrelation(): string {
  correlationCounter = (correlationCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${correlationPrefix}-${correlationCounter}`;
}

/** The request's protocol version, read leniently so even a refusal can echo it. */
function requestVersion(item: TtlvItem): ProtocolVersion | undefined {
  if (item.type !== ItemType.Structure || item.tag !== Tag.RequestMessage) return undefined;
  const header = item.value.find((c) => c.tag === Tag.RequestHeader);
  if (!header || header.type !== ItemType.Structure) return undefined;
  const pv = header.value.find((c) => c.tag === Tag.ProtocolVersion);
  if (!pv || pv.type !== ItemType.Structure) return undefined;
  const major = pv.value.find((c) => c.tag === Tag.ProtocolVersionMajor);
  const minor = pv.value.find((c) => c.tag === Tag.ProtocolVersionMinor);
  if (major?.type !== ItemType.Integer || minor?.type !== ItemType.Integer) return undefined;
  if (major.value < 0 || minor.value < 0 || major.value > 99 || minor.value > 99) return undefined;
  return { major: major.value, minor: minor.value };
}
