import { describe, expect, it } from 'vitest';
import { labelIndices, linePath, niceMax, ticks } from './chart';
import { formatDuration, formatRelative } from './format';

describe('chart axes', () => {
  it('rounds the maximum up to a readable number', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(460)).toBe(500);
    expect(niceMax(1.3)).toBe(2);
    expect(niceMax(220)).toBe(250);
    expect(ticks(500, 4)).toEqual([0, 125, 250, 375, 500]);
  });

  it('breaks latency lines where a minute has no data', () => {
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: null }, { x: 2, y: 3 }, { x: 3, y: 4 }])).toBe('M0.0,1.0M2.0,3.0L3.0,4.0');
  });

  it('spreads x labels and keeps the last one', () => {
    expect(labelIndices(60, 4)).toEqual([0, 20, 39, 59]);
    expect(labelIndices(3, 5)).toEqual([0, 1, 2]);
    expect(labelIndices(0, 5)).toEqual([]);
  });
});

describe('formatting', () => {
  it('formats durations for people', () => {
    expect(formatDuration(0.4)).toBe('<1 ms');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(undefined)).toBe('—');
  });

  it('formats relative times', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelative('2026-01-01T11:59:58Z', now)).toBe('just now');
    expect(formatRelative('2026-01-01T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2026-01-01T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative(undefined, now)).toBe('never');
  });
});
