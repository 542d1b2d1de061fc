import { ObjectId } from 'mongodb';
import { canonicalEncoding } from './canonical.js';
import type { AuditActor, AuditResult, DetailValue } from './event.js';
import type { AuditRecordDocument } from './store.js';

/**
 * One audit record as one line of JSON: how the KMIP journal keeps records on disk and how a
 * stored block (lib/audit/blocks.ts) keeps them in the store.
 *
 * The line is the record's canonical encoding (the exact text its hash covers) with its id
 * and hash appended: `["openkcm.audit.v1", chainId, seq, …, details, "<_id hex>", "<hash>"]`.
 * The record is serialised once, for hash and line together. Absent optional fields are null
 * in that encoding and come back absent, which the hash does not tell apart.
 *
 * Lines written before this layout are JSON objects (`{"_id": …, "chainId": …}`, ObjectId and
 * Date as hex and ISO text); they are still read, so older journals and blocks stay readable.
 */
export function journalLine(doc: AuditRecordDocument): string {
  return lineFromEncoding(doc, canonicalEncoding(doc));
}

/** The line of `doc` when the caller has just computed its canonical encoding (the chain does). */
export function lineFromEncoding(doc: AuditRecordDocument, canonical: string): string {
  return `${canonical.slice(0, -1)},"${doc._id.toHexString()}",${JSON.stringify(doc.hash)}]\n`;
}

/** A line (without its newline) back to the record. Throws on anything that is not one. */
export function parseJournalLine(line: string): AuditRecordDocument {
  if (line.startsWith('[')) return fromCanonicalLine(JSON.parse(line) as unknown[]);
  const raw = JSON.parse(line) as Omit<AuditRecordDocument, '_id' | 'time'> & { _id: string; time: string };
  return { ...raw, _id: new ObjectId(raw._id), time: new Date(raw.time) };
}

/**
 * The layout below is that of label `openkcm.audit.v1`: 17 positions of canonicalEncoding, then
 * the two appended fields. A new hash label may order fields differently, so it needs its own
 * reader here; until then its lines are refused rather than misread.
 */
const V1_LABEL = 'openkcm.audit.v1';
const V1_FIELDS = 19;

function fromCanonicalLine(a: unknown[]): AuditRecordDocument {
  if (a.length !== V1_FIELDS || a[0] !== V1_LABEL) throw new SyntaxError('not an audit record line');
  const [, chainId, seq, prevHash, time, tenantId, actorKind, actorId, operation, objectId, l2Version, result, reason, crossTenant, latencyMs, clientAddress, details, id, hash] = a;
  const doc: AuditRecordDocument = {
    _id: new ObjectId(id as string),
    chainId: chainId as string,
    seq: seq as number,
    prevHash: prevHash as string,
    time: new Date(time as string),
    tenantId: tenantId as string | null,
    actor: { kind: actorKind as AuditActor['kind'], id: actorId as string },
    operation: operation as string,
    result: result as AuditResult,
    hash: hash as string,
  };
  if (objectId !== null) doc.objectId = objectId as string;
  if (l2Version !== null) doc.l2Version = l2Version as number;
  if (reason !== null) doc.reason = reason as string;
  if (crossTenant !== null) doc.crossTenant = crossTenant as boolean;
  if (latencyMs !== null) doc.latencyMs = latencyMs as number;
  if (clientAddress !== null) doc.clientAddress = clientAddress as string;
  if (details !== null) doc.details = Object.fromEntries(details as Array<[string, DetailValue]>);
  return doc;
}
