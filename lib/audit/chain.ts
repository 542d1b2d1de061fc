import { ObjectId } from 'mongodb';
import { canonicalEncoding, genesisHash, hashOfEncoding } from './canonical.js';
import { lineFromEncoding } from './record-line.js';
import type { AuditEvent } from './event.js';
import type { AuditRecordDocument } from './store.js';

/**
 * One hash chain being written: gives each event the next sequence number and links it to its
 * predecessor. Both the batched store writer and the on-disk journal append
 * through it, so a record's shape and hash never depend on where it is kept first.
 */
export class AuditChain {
  readonly chainId: string;
  #lastSeq = 0;
  #lastHash: string;

  constructor(chainId: string) {
    this.chainId = chainId;
    this.#lastHash = genesisHash(chainId);
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The chained record of an event the caller has already validated (`validateAuditEvent`). */
  next(event: AuditEvent, now: () => Date): AuditRecordDocument {
    return this.#append(event, now).doc;
  }

  /** The chained record and its journal line, from one serialisation of the record. */
  nextWithLine(event: AuditEvent, now: () => Date): { doc: AuditRecordDocument; line: string } {
    const { doc, canonical } = this.#append(event, now);
    return { doc, line: lineFromEncoding(doc, canonical) };
  }

  /** Chains the event; returns the record and the canonical encoding its hash covers. */
  #append(event: AuditEvent, now: () => Date): { doc: AuditRecordDocument; canonical: string } {
    const doc: AuditRecordDocument = {
      _id: new ObjectId(),
      chainId: this.chainId,
      seq: this.#lastSeq + 1,
      prevHash: this.#lastHash,
      time: new Date((event.time ?? now()).getTime()),
      tenantId: event.tenantId,
      actor: { kind: event.actor.kind, id: event.actor.id },
      operation: event.operation,
      result: event.result,
      hash: '',
    };
    // Optional fields only when present, so stored documents stay small.
    if (event.objectId !== undefined) doc.objectId = event.objectId;
    if (event.l2Version !== undefined) doc.l2Version = event.l2Version;
    if (event.reason !== undefined) doc.reason = event.reason;
    if (event.crossTenant !== undefined) doc.crossTenant = event.crossTenant;
    if (event.latencyMs !== undefined) doc.latencyMs = event.latencyMs;
    if (event.clientAddress !== undefined) doc.clientAddress = event.clientAddress;
    if (event.details !== undefined) doc.details = { ...event.details };
    const canonical = canonicalEncoding(doc);
    doc.hash = hashOfEncoding(canonical);
    this.#lastSeq = doc.seq;
    this.#lastHash = doc.hash;
    return { doc, canonical };
  }
}
