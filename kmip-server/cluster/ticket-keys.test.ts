import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SHARED_KEY_RETRY_MS, TICKET_KEY_BYTES, type TicketKey, type TicketKeySource, TicketKeyRotation } from './ticket-keys.js';

const HOUR = 3_600_000;

/** A source with one key per hour of the (fake) clock, which can be made to fail. */
class HourlyKeys implements TicketKeySource {
  failing = false;
  readonly handedOut: Buffer[] = [];
  private readonly keys = new Map<number, Buffer>();

  current(): Promise<TicketKey> {
    if (this.failing) return Promise.reject(new Error('store unreachable'));
    const period = Math.floor(Date.now() / HOUR);
    if (!this.keys.has(period)) this.keys.set(period, randomBytes(TICKET_KEY_BYTES));
    // A copy, as the store gives: the rotation owns and zeroes what it is handed.
    const key = Buffer.from(this.keys.get(period)!);
    this.handedOut.push(key);
    return Promise.resolve({ key, period, endsAt: (period + 1) * HOUR });
  }

  keyOf(period: number): Buffer | undefined {
    return this.keys.get(period);
  }
}

describe('ticket key rotation', () => {
  let source: HourlyKeys;
  let rotated: Buffer[];
  let failures: unknown[];
  const hooks = {
    onRotate: (key: Buffer) => rotated.push(Buffer.from(key)),
    onSharedKeyUnavailable: (error: unknown) => failures.push(error),
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-12-07T10:30:00Z') });
    source = new HourlyKeys();
    rotated = [];
    failures = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts on the period's key and moves to the next one just after the period ends, zeroing the old one", async () => {
    const rotation = await TicketKeyRotation.start(source, hooks);
    const first = rotation.key;
    const period = Math.floor(Date.now() / HOUR);
    expect(first).toEqual(source.keyOf(period));

    await vi.advanceTimersByTimeAsync(29 * 60_000); // 10:59
    expect(rotated).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 60_000); // 11:01
    expect(rotated).toEqual([source.keyOf(period + 1)]);
    expect(rotation.key).toEqual(source.keyOf(period + 1));
    expect(first.equals(Buffer.alloc(TICKET_KEY_BYTES))).toBe(true);
    rotation.stop();
  });

  it("rotates anyway to a key of this node's own while the store fails, and returns to the shared key when it answers", async () => {
    const rotation = await TicketKeyRotation.start(source, hooks);
    const period = Math.floor(Date.now() / HOUR);
    source.failing = true;
    await vi.advanceTimersByTimeAsync(30 * 60_000 + 2_000); // 11:00:02, just past the rotation
    expect(failures).toHaveLength(1);
    expect(rotated).toHaveLength(1);
    const local = rotation.key;
    expect(local).toHaveLength(TICKET_KEY_BYTES);
    expect(local.equals(source.keyOf(period)!)).toBe(false);

    await vi.advanceTimersByTimeAsync(SHARED_KEY_RETRY_MS); // still failing: asks again, keeps its own key
    expect(failures).toHaveLength(2);
    source.failing = false;
    await vi.advanceTimersByTimeAsync(SHARED_KEY_RETRY_MS);
    expect(rotation.key).toEqual(source.keyOf(period + 1));
    expect(rotated.at(-1)).toEqual(source.keyOf(period + 1));
    rotation.stop();
  });

  it('does not announce the same key twice, and stop() ends the schedule', async () => {
    const rotation = await TicketKeyRotation.start(source, hooks);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(rotated).toHaveLength(1);
    rotation.stop();
    await vi.advanceTimersByTimeAsync(5 * HOUR);
    expect(rotated).toHaveLength(1);
    // Every key handed out but not in use was zeroed.
    const inUse = rotation.key;
    for (const key of source.handedOut) if (key !== inUse) expect(key.equals(Buffer.alloc(TICKET_KEY_BYTES))).toBe(true);
  });

  it('does not start without the shared key', async () => {
    source.failing = true;
    await expect(TicketKeyRotation.start(source, hooks)).rejects.toThrow('store unreachable');
  });
});
