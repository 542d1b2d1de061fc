import { ObjectId } from 'mongodb';
import type { AuditRecordDocument } from './store.js';

/**
 * One audit record as one line of JSON: how the KMIP journal keeps records on disk and how a
 * stored block (lib/audit/blocks.ts) keeps them in the store. ObjectId and Date become hex and
 * ISO text, and come back as they were, so a record's hash survives the round trip.
 */
export function journalLine(doc: AuditRecordDocument): string {
  return `${JSON.stringify({ ...doc, _id: doc._id.toHexString(), time: doc.time instanceof Date ? doc.time.toISOString() : doc.time })}\n`;
}

/** A line (without its newline) back to the record. Throws on anything that is not one. */
export function parseJournalLine(line: string): AuditRecordDocument {
  const raw = JSON.parse(line) as Omit<AuditRecordDocument, '_id' | 'time'> & { _id: string; time: string };
  return { ...raw, _id: new ObjectId(raw._id), time: new Date(raw.time) };
}
