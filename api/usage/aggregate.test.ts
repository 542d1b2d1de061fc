import { describe, expect, it } from 'vitest';
import { aggregateUsage, percentile, windowStart } from './aggregate.js';

describe('aggregateUsage', () => {
  const now = new Date('2026-11-28T12:03:30Z');

  it('buckets events per minute with counts, errors and nearest-rank percentiles', () => {
    const at = (iso: string, latencyMs: number, result: 'success' | 'failure' | 'denied' = 'success') => ({ time: new Date(iso), latencyMs, result });
    const usage = aggregateUsage(
      [
        at('2026-11-28T12:01:05Z', 1),
        at('2026-11-28T12:01:10Z', 3),
        at('2026-11-28T12:01:59Z', 2, 'failure'),
        at('2026-11-28T12:03:00Z', 10, 'denied'),
        at('2026-11-28T11:59:59Z', 99), // before the window
      ],
      now,
      3,
    );
    expect(usage.series.map((b) => b.minute)).toEqual(['2026-11-28T12:01:00.000Z', '2026-11-28T12:02:00.000Z', '2026-11-28T12:03:00.000Z']);
    expect(usage.series[0]).toMatchObject({ operations: 3, errors: 1, p50Ms: 2, p99Ms: 3 });
    expect(usage.series[1]).toMatchObject({ operations: 0, errors: 0, p50Ms: 0, p99Ms: 0 });
    expect(usage.series[2]).toMatchObject({ operations: 1, errors: 1, p50Ms: 10, p99Ms: 10 });
    expect(usage.totals).toEqual({ operations: 4, errors: 2, p50Ms: 2, p99Ms: 10 });
  });

  it('computes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 99)).toBe(0);
    expect(windowStart(now, 60).toISOString()).toBe('2026-11-28T11:04:00.000Z');
  });
});
