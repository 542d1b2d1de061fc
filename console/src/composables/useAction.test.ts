import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { useAction } from './useAction';

describe('useAction', () => {
  it('is busy while the action runs and then shows what it did', async () => {
    const { busy, error, outcome, run } = useAction();
    let finish!: () => void;
    const running = run(() => new Promise<string>((resolve) => (finish = () => resolve('Rotated.'))));
    expect(busy.value).toBe(true);
    finish();
    await running;
    expect(busy.value).toBe(false);
    expect(outcome.value).toBe('Rotated.');
    expect(error.value).toBeUndefined();
  });

  it("reports a failure in the API's words, and the next attempt starts without it", async () => {
    const { busy, error, outcome, run } = useAction();
    await run(() => Promise.reject(new ApiError(409, 'conflict', 'the configuration is in use')));
    expect(error.value).toBe('the configuration is in use');
    expect(outcome.value).toBe('');
    expect(busy.value).toBe(false);

    let seenError: string | undefined = 'not looked at';
    await run(async () => {
      seenError = error.value;
      return 'Deleted.';
    });
    expect(seenError).toBeUndefined();
    expect(outcome.value).toBe('Deleted.');
  });

  it('turns anything thrown into a message', async () => {
    const { error, run } = useAction();
    await run(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(error.value).toBe('Failed to fetch');
  });
});
