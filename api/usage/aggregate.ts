/**
 * KMIP usage per minute from audit events: operations, errors, and latency percentiles
 * (nearest rank). Minutes without traffic are present with zeros, so charts have no gaps.
 */
export interface UsageEvent {
  time: Date;
  result: 'success' | 'failure' | 'denied';
  latencyMs?: number;
}

export interface UsageBucket {
  minute: string;
  operations: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Usage {
  series: UsageBucket[];
  totals: Omit<UsageBucket, 'minute'>;
}

const MINUTE_MS = 60_000;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

interface Bucket {
  operations: number;
  errors: number;
  latencies: number[];
}

const emptyBucket = (): Bucket => ({ operations: 0, errors: 0, latencies: [] });

function add(bucket: Bucket, event: UsageEvent): void {
  bucket.operations++;
  if (event.result !== 'success') bucket.errors++;
  if (event.latencyMs !== undefined) bucket.latencies.push(event.latencyMs);
}

function summarize(bucket: Bucket): Omit<UsageBucket, 'minute'> {
  const sorted = bucket.latencies.sort((a, b) => a - b);
  return {
    operations: bucket.operations,
    errors: bucket.errors,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The first minute of the window: `minutes` whole minutes ending with the current one. */
export function windowStart(now: Date, minutes: number): Date {
  const current = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  return new Date(current - (minutes - 1) * MINUTE_MS);
}

/** Keeps only counters and latencies per minute, so a long window streams through. */
export class UsageAccumulator {
  private readonly start: number;
  private readonly buckets: Bucket[];
  private readonly total = emptyBucket();

  constructor(now: Date, private readonly minutes: number) {
    this.start = windowStart(now, minutes).getTime();
    this.buckets = Array.from({ length: minutes }, emptyBucket);
  }

  add(event: UsageEvent): void {
    const index = Math.floor((event.time.getTime() - this.start) / MINUTE_MS);
    if (index < 0 || index >= this.minutes) return;
    add(this.buckets[index]!, event);
    add(this.total, event);
  }

  result(): Usage {
    return {
      series: this.buckets.map((bucket, i) => ({ minute: new Date(this.start + i * MINUTE_MS).toISOString(), ...summarize(bucket) })),
      totals: summarize(this.total),
    };
  }
}

export function aggregateUsage(events: Iterable<UsageEvent>, now: Date, minutes: number): Usage {
  const accumulator = new UsageAccumulator(now, minutes);
  for (const event of events) accumulator.add(event);
  return accumulator.result();
}
