import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit.js';

describe('FailureLimiter', () => {
  it('refuses a key at its limit until the window ends, with the seconds left', () => {
    let now = 1_000_000;
    const limiter = new FailureLimiter({ max: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('acme/alice')).toBe(0);
      limiter.fail('acme/alice');
    }
    expect(limiter.retryAfter('acme/alice')).toBe(60);
    expect(limiter.retryAfter('acme/bob')).toBe(0);
    now += 59_500;
    expect(limiter.retryAfter('acme/alice')).toBe(1);
    now += 500;
    expect(limiter.retryAfter('acme/alice')).toBe(0);
  });

  it('forgets a key on reset', () => {
    const limiter = new FailureLimiter({ max: 1, windowMs: 60_000 });
    limiter.fail('k');
    expect(limiter.retryAfter('k')).toBeGreaterThan(0);
    limiter.reset('k');
    expect(limiter.retryAfter('k')).toBe(0);
  });
});
