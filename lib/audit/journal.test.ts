import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { genesisHash, recordHash } from './canonical.js';
import { AuditEventError } from './event.js';
import { AuditJournal, parseJournalLine, parseSegmentFileName, segmentFileName } from './journal.js';
import { sampleKmipEvent } from './testing/events.js';
import { AuditUnavailableError } from './writer.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'openkcm-journal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const event = sampleKmipEvent;

function lines(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
}

describe('AuditJournal', () => {
  it('appends hash-chained records, one write per turn, readable back exactly', async () => {
    const dir = tempDir();
    const j = new AuditJournal({ dir, role: 'kmip', backlogLimit: 100 });
    for (let i = 1; i <= 5; i++) expect(j.record(event(i)).seq).toBe(i);
    expect(lines(dir)).toHaveLength(0); // queued, not yet written
    await j.appended();
    const docs = lines(dir).map(parseJournalLine);
    expect(docs.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(docs[0]!.prevHash).toBe(genesisHash(j.chainId));
    for (const [i, d] of docs.entries()) {
      expect(d.hash).toBe(recordHash(d)); // the line round-trips to the very record that was hashed
      if (i > 0) expect(d.prevHash).toBe(docs[i - 1]!.hash);
    }
    expect(j.close()).toEqual({ unwritten: 0 });
  });

  it('refuses once the unshipped backlog reaches its limit, and accepts again as the shipper catches up', async () => {
    const j = new AuditJournal({ dir: tempDir(), role: 'kmip', backlogLimit: 3 });
    for (let i = 1; i <= 3; i++) j.record(event(i));
    expect(j.accepting()).toBe(false);
    expect(() => j.record(event(4))).toThrow(AuditUnavailableError);
    expect(j.stats()).toMatchObject({ depth: 3, refused: 1 });
    j.shipped(2);
    expect(j.accepting()).toBe(true);
    expect(j.record(event(4)).seq).toBe(4);
    await j.appended();
    j.close();
  });

  it('holds requests above the pressure mark until the shipper makes room, and lets them go after the longest wait', async () => {
    const j = new AuditJournal({ dir: tempDir(), role: 'kmip', backlogLimit: 10, pressureMark: 4, pressureWaitMs: 60_000 });
    for (let i = 1; i <= 3; i++) j.record(event(i));
    expect(j.admission()).toBeUndefined(); // below the mark: no promise on the hot path
    j.record(event(4));
    let admitted = 0;
    const waits = [j.admission(), j.admission()].map((w) => w!.then(() => admitted++));
    await new Promise((r) => setImmediate(r));
    expect(admitted).toBe(0);
    j.shipped(1); // depth 3: below the mark again
    await Promise.all(waits);
    expect(admitted).toBe(2);
    expect(j.stats()).toMatchObject({ throttled: 2, refused: 0 });

    const impatient = new AuditJournal({ dir: tempDir(), role: 'kmip', backlogLimit: 10, pressureMark: 1, pressureWaitMs: 20 });
    impatient.record(event(1));
    const started = performance.now();
    await impatient.admission(); // nobody ships: released by the timeout, record() then decides
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(impatient.record(event(2)).seq).toBe(2);
    await Promise.all([j.appended(), impatient.appended()]);
    j.close();
    impatient.close();
  });

  it('releases waiting requests when it closes (they are then refused by record())', async () => {
    const j = new AuditJournal({ dir: tempDir(), role: 'kmip', backlogLimit: 10, pressureMark: 1, pressureWaitMs: 60_000 });
    j.record(event(1));
    const waiting = j.admission();
    await j.appended();
    j.close();
    await waiting;
    expect(() => j.record(event(2))).toThrow(AuditUnavailableError);
  });

  it('rejects a malformed event without consuming a sequence number', async () => {
    const j = new AuditJournal({ dir: tempDir(), role: 'kmip', backlogLimit: 10 });
    expect(() => j.record({ ...event(1), operation: '' })).toThrow(AuditEventError);
    expect(j.record(event(1)).seq).toBe(1);
    await j.appended();
    j.close();
  });

  it('starts a new segment past its size, keeping the chain across segments', async () => {
    const dir = tempDir();
    const j = new AuditJournal({ dir, role: 'kmip', backlogLimit: 1000, segmentBytes: 1024 });
    for (let i = 1; i <= 20; i++) {
      j.record(event(i));
      await j.appended();
    }
    j.close();
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(2);
    expect(files.map((f) => parseSegmentFileName(f)?.chainId)).toEqual(files.map(() => j.chainId));
    const docs = lines(dir).map(parseJournalLine);
    expect(docs.map((d) => d.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (let i = 1; i < docs.length; i++) expect(docs[i]!.prevHash).toBe(docs[i - 1]!.hash);
  });

  it('fails closed when the disk refuses a write: the waiting response and every later event are refused', async () => {
    const dir = tempDir();
    const errors: unknown[] = [];
    const j = new AuditJournal({ dir, role: 'kmip', backlogLimit: 10, segmentBytes: 1, onWriteError: (e) => errors.push(e) });
    // The second segment is /dev/full: every write to it fails with ENOSPC, as on a full disk.
    symlinkSync('/dev/full', path.join(dir, segmentFileName(j.chainId, 2)));
    j.record(event(1));
    await j.appended(); // first segment, then the switch to the second
    j.record(event(2));
    await expect(j.appended()).rejects.toThrow(/audit journal cannot be written: ENOSPC/);
    expect(j.accepting()).toBe(false);
    expect(() => j.record(event(3))).toThrow(AuditUnavailableError);
    expect(errors).toHaveLength(1);
    expect(j.stats()).toMatchObject({ writeFailed: true });
    j.close();
  });

  it('refuses everything once closed', async () => {
    const j = new AuditJournal({ dir: tempDir(), role: 'kmip', backlogLimit: 10 });
    j.record(event(1));
    expect(j.close()).toEqual({ unwritten: 0 });
    expect(() => j.record(event(2))).toThrow(/closed/);
  });

  it('names segments so that they sort in order and parse back', () => {
    expect(segmentFileName('kmip:h:1:2:abc', 7)).toBe('kmip:h:1:2:abc.000007.jsonl');
    expect(parseSegmentFileName('kmip:h:1:2:abc.000007.jsonl')).toEqual({ chainId: 'kmip:h:1:2:abc', segment: 7 });
    expect(parseSegmentFileName('notes.txt')).toBeUndefined();
  });
});
