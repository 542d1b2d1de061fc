import type { Db } from 'mongodb';
import { type AuditFilter, type AuditEventView, type AuditScope, buildAuditFilter, toView } from './query.js';
import { streamAuditRecords } from './record-stream.js';

/**
 * Streaming export of the audit trail, oldest first, as CSV or JSON lines. Yields text chunks;
 * wrap with `Readable.from()` for an HTTP response. Memory holds the blocks around the current
 * position (lib/audit/record-stream.ts), not the trail; every `batchSize` records become one chunk.
 */
export type AuditExportFormat = 'csv' | 'jsonl';

export const CSV_COLUMNS = [
  'time',
  'tenantId',
  'actorKind',
  'actorId',
  'operation',
  'objectId',
  'l2Version',
  'result',
  'reason',
  'crossTenant',
  'latencyMs',
  'clientAddress',
  'details',
  'chainId',
  'seq',
  'hash',
  'id',
] as const;

export async function* exportAuditEvents(
  db: Db,
  scope: AuditScope,
  filter: AuditFilter,
  format: AuditExportFormat,
  options: { batchSize?: number } = {},
): AsyncGenerator<string> {
  if (format !== 'csv' && format !== 'jsonl') throw new RangeError('format must be csv or jsonl');
  const batchSize = options.batchSize ?? 1000;
  const records = streamAuditRecords(db, buildAuditFilter(scope, filter), { order: 'asc' });
  try {
    if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
    let chunk = '';
    let n = 0;
    for await (const doc of records) {
      const view = toView(doc);
      chunk += format === 'csv' ? csvRow(view) : `${JSON.stringify(view)}\n`;
      if (++n % batchSize === 0) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  } finally {
    await records.return(undefined);
  }
}

export function csvRow(e: AuditEventView): string {
  const cells: Array<string | number | boolean | null | undefined> = [
    e.time.toISOString(),
    e.tenantId,
    e.actor.kind,
    e.actor.id,
    e.operation,
    e.objectId,
    e.l2Version,
    e.result,
    e.reason,
    e.crossTenant,
    e.latencyMs,
    e.clientAddress,
    e.details ? JSON.stringify(e.details) : undefined,
    e.chainId,
    e.seq,
    e.hash,
    e.id,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * RFC 4180 quoting, plus formula-injection defence (OWASP): a text cell starting with
 * = + - @ TAB or CR is prefixed with ' so spreadsheets show it instead of evaluating it.
 * Numbers and booleans are ours and are written as they are.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || text !== value) return `"${text.replace(/"/g, '""')}"`;
  return text;
}
