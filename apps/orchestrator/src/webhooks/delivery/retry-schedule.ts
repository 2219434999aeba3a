/** The retry settings of deliveries (WEBHOOK_RETRY_INITIAL_MS, _MAX_DELAY_MS). */
export interface RetrySettings {
  initialMs: number;
  maxDelayMs: number;
}

/**
 * The wait after failed attempt number `attempt` (1 for the first): the initial wait doubled per
 * attempt, capped, of which a random half is taken off ("equal jitter": between half and all of it),
 * so that deliveries failing together do not come back together.
 */
export function retryDelayMs(
  attempt: number,
  s: RetrySettings,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 40);
  const capped = Math.min(s.maxDelayMs, s.initialMs * 2 ** exponent);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** What follows a failed attempt: another at `at`, or nothing (the delivery is dead). */
export type AfterFailure = { retry: true; at: Date } | { retry: false };

/**
 * When to try again after failed attempt `attempt`, within the delivery's retry window: the backoff's
 * time, or — when that falls past `giveUpAt` — one last attempt at `giveUpAt` itself, so a receiver
 * that comes back just before the deadline is not skipped; past the deadline, none.
 */
export function afterFailure(
  now: Date,
  attempt: number,
  giveUpAt: Date,
  s: RetrySettings,
  random?: () => number,
): AfterFailure {
  if (now.getTime() >= giveUpAt.getTime()) return { retry: false };
  const at = now.getTime() + retryDelayMs(attempt, s, random);
  return { retry: true, at: new Date(Math.min(at, giveUpAt.getTime())) };
}
