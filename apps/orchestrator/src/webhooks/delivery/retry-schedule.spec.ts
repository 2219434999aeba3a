import { describe, expect, it } from '@jest/globals';
import { afterFailure, retryDelayMs } from './retry-schedule.js';

const s = { initialMs: 1_000, maxDelayMs: 60_000 };

describe('the webhook retry schedule', () => {
  it('doubles from the initial wait, between half and all of it (equal jitter)', () => {
    const [low, high] = [() => 0, () => 1];
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, s, high))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, s, low))).toEqual([500, 1_000, 2_000, 4_000]);
    const mid = retryDelayMs(3, s, () => 0.5);
    expect(mid).toBe(3_000);
  });

  it('is capped at the longest wait, however many attempts failed', () => {
    expect(retryDelayMs(7, s, () => 1)).toBe(60_000);
    expect(retryDelayMs(500, s, () => 1)).toBe(60_000);
    expect(retryDelayMs(500, s, () => 0)).toBe(30_000);
  });

  it('retries at the backoff time within the window', () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const giveUp = new Date('2026-11-25T11:00:00.000Z');
    expect(afterFailure(now, 2, giveUp, s, () => 1)).toEqual({
      retry: true,
      at: new Date('2026-11-25T10:00:02.000Z'),
    });
  });

  it('makes one last attempt at the deadline when the backoff falls past it, then gives up', () => {
    const now = new Date('2026-11-25T10:59:59.000Z');
    const giveUp = new Date('2026-11-25T11:00:00.000Z');
    expect(afterFailure(now, 9, giveUp, s, () => 1)).toEqual({ retry: true, at: giveUp });
    expect(afterFailure(giveUp, 10, giveUp, s)).toEqual({ retry: false });
    expect(afterFailure(new Date(giveUp.getTime() + 1), 10, giveUp, s)).toEqual({ retry: false });
  });
});
