import { jest } from '@jest/globals';
import { MAX_DEFAULT_INTERVAL_MS, waitFor } from './wait-for.js';

describe(waitFor.name, () => {
  it('returns the first truthy value as soon as the condition holds', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : undefined), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('times out naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 20, intervalMs: 5, what: 'the thing' },
      ),
    ).rejects.toThrow(/waiting for the thing \(last error: not yet\)/);
  });

  it('without an interval, polls at once and often, then less often the longer it waits', async () => {
    jest.useFakeTimers();
    try {
      const at: number[] = [];
      const start = Date.now();
      const waiting = waitFor(() => void at.push(Date.now() - start), { timeoutMs: 5_000 });
      const failed = expect(waiting).rejects.toThrow(/timed out after 5000 ms/);
      await jest.advanceTimersByTimeAsync(6_000);
      await failed;
      const pauses = at.slice(1).map((t, i) => t - at[i]!);
      expect(at[0]).toBe(0);
      expect(pauses.slice(0, 3)).toEqual([25, 38, 57]);
      expect(pauses.every((p, i) => i === 0 || p >= pauses[i - 1]!)).toBe(true);
      expect(Math.max(...pauses)).toBe(MAX_DEFAULT_INTERVAL_MS);
      // 5 s at 25 ms would be 200 checks
      expect(at.length).toBeLessThan(60);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps an interval it is given', async () => {
    jest.useFakeTimers();
    try {
      let n = 0;
      const waiting = waitFor(() => ++n >= 10, { intervalMs: 25 });
      await jest.advanceTimersByTimeAsync(9 * 25);
      await expect(waiting).resolves.toBe(true);
      expect(n).toBe(10);
    } finally {
      jest.useRealTimers();
    }
  });
});
