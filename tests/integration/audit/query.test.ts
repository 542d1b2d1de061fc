import { Readable } from 'node:stream';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditQueryError,
  AuditWriter,
  CSV_COLUMNS,
  ensureAuditIndexes,
  exportAuditEvents,
  queryAuditEvents,
} from '../../../lib/audit/index.js';
import { type FerretDb, startFerretDb } from '../pki/support/ferretdb.js';

let ferret: FerretDb;
let mongo: MongoClient;
let db: Db;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');

beforeAll(async () => {
  ferret = await startFerretDb();
  mongo = await new MongoClient(ferret.uri).connect();
  db = mongo.db('audit_query');
  await ensureAuditIndexes(db);
  const writer = new AuditWriter({ db, role: 'api' });
  // 250 acme events, one per second, several sharing a timestamp to exercise the (time, id) cursor
  for (let i = 0; i < 250; i++) {
    writer.record({
      time: new Date(T0 + Math.floor(i / 3) * 1000),
      tenantId: 'acme',
      actor: i % 5 === 0 ? { kind: 'user', id: 'alice' } : { kind: 'service', id: 'spiffe://openkcm/tenant/acme/service/mongo' },
      operation: i % 2 ? 'kmip.Get' : 'kmip.Create',
      objectId: `obj-${i % 10}`,
      result: i % 7 === 0 ? 'denied' : 'success',
      crossTenant: i % 7 === 0 ? true : undefined,
      reason: i === 13 ? '=HYPERLINK("http://evil.example","click"), "quoted"\nline' : undefined,
      details: { i },
    });
  }
  for (let i = 0; i < 40; i++) {
    writer.record({ time: new Date(T0 + i * 1000), tenantId: 'beta', actor: { kind: 'service', id: 'b' }, operation: 'kmip.Get', result: 'success' });
  }
  writer.record({ time: new Date(T0), tenantId: null, actor: { kind: 'platform', id: 'pki' }, operation: 'pki.ca.create', result: 'success' });
  await writer.close();
});
afterAll(async () => {
  await mongo?.close();
  await ferret?.stop();
});

describe('queryAuditEvents', () => {
  it('pages newest first through every event of the tenant exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let lastKey = Number.POSITIVE_INFINITY;
    do {
      const page = await queryAuditEvents(db, { kind: 'tenant', tenantId: 'acme' }, {}, { limit: 100, cursor });
      for (const e of page.events) {
        expect(e.tenantId).toBe('acme');
        expect(e.time.getTime()).toBeLessThanOrEqual(lastKey);
        lastKey = e.time.getTime();
        seen.push(e.id);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  it('never lets a tenant-scoped caller see or select another tenant', async () => {
    const beta = await queryAuditEvents(db, { kind: 'tenant', tenantId: 'beta' }, {}, { limit: 1000 });
    expect(beta.events).toHaveLength(40);
    expect(beta.events.every((e) => e.tenantId === 'beta')).toBe(true);
    await expect(queryAuditEvents(db, { kind: 'tenant', tenantId: 'beta' }, { tenantId: 'acme' })).rejects.toThrow(AuditQueryError);
    await expect(queryAuditEvents(db, { kind: 'tenant', tenantId: 'beta' }, { tenantId: null })).rejects.toThrow(AuditQueryError);
    const platform = await queryAuditEvents(db, { kind: 'platform' }, { tenantId: null });
    expect(platform.events.map((e) => e.operation)).toEqual(['pki.ca.create']);
    expect((await queryAuditEvents(db, { kind: 'platform' }, {}, { limit: 1000 })).events).toHaveLength(291);
  });

  it('filters by time range, actor, operation, result, object and cross-tenant flag', async () => {
    const scope = { kind: 'tenant', tenantId: 'acme' } as const;
    const count = async (filter: Parameters<typeof queryAuditEvents>[2]): Promise<number> =>
      (await queryAuditEvents(db, scope, filter, { limit: 1000 })).events.length;
    expect(await count({ from: new Date(T0), to: new Date(T0 + 10_000) })).toBe(30);
    expect(await count({ actorKind: 'user', actorId: 'alice' })).toBe(50);
    expect(await count({ operation: 'kmip.Get' })).toBe(125);
    expect(await count({ operation: ['kmip.Get', 'kmip.Create'] })).toBe(250);
    expect(await count({ result: 'denied' })).toBe(36);
    expect(await count({ crossTenant: true })).toBe(36);
    expect(await count({ crossTenant: false })).toBe(214);
    expect(await count({ objectId: 'obj-3', result: ['success'] })).toBe(25 - 3); // i = 63, 133, 203 were denied
  });

  it('rejects forged or foreign cursors', async () => {
    await expect(queryAuditEvents(db, { kind: 'tenant', tenantId: 'acme' }, {}, { cursor: 'not-a-cursor' })).rejects.toThrow(AuditQueryError);
    const bad = Buffer.from(JSON.stringify({ t: 'x', i: '$where' })).toString('base64url');
    await expect(queryAuditEvents(db, { kind: 'tenant', tenantId: 'acme' }, {}, { cursor: bad })).rejects.toThrow(AuditQueryError);
  });
});

describe('exportAuditEvents', () => {
  async function collect(format: 'csv' | 'jsonl'): Promise<string> {
    let out = '';
    // through a Node stream, as an HTTP response would consume it
    for await (const chunk of Readable.from(exportAuditEvents(db, { kind: 'tenant', tenantId: 'acme' }, {}, format, { batchSize: 64 }))) {
      out += chunk as string;
    }
    return out;
  }

  it('streams JSON lines, oldest first', async () => {
    const lines = (await collect('jsonl')).trimEnd().split('\n');
    expect(lines).toHaveLength(250);
    const parsed = lines.map((l) => JSON.parse(l) as { time: string; tenantId: string; hash: string });
    expect(parsed.every((e) => e.tenantId === 'acme' && /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    expect(parsed.map((e) => e.time)).toEqual([...parsed.map((e) => e.time)].sort());
  });

  it('streams CSV with a header, escaped cells and neutralised formulas', async () => {
    const csv = await collect('csv');
    expect(csv.startsWith(`${CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(251);
    const reason = rows.find((r) => r[8]?.includes('HYPERLINK'))![8];
    expect(reason).toBe(`'=HYPERLINK("http://evil.example","click"), "quoted"\nline`);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
  });
});

/** Minimal RFC 4180 parser for the assertions. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}
