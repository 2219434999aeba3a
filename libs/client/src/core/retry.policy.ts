/** How often, and how far apart, a call that may be repeated is tried again. */
export interface RetryOptions {
  /** Tries after the first (default 2; 0 turns retries off). */
  retries?: number;
  /** The first pause (default 200 ms); each next one up to three times the last, with jitter. */
  initialDelayMs?: number;
  /** The longest pause (default 5,000 ms); a `Retry-After` longer than this is not waited for. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  retries: 2,
  initialDelayMs: 200,
  maxDelayMs: 5_000,
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Whether sending a call twice is harmless, by its method: reads, and writes that set a value (PUT,
 * PATCH, DELETE: a repeat changes nothing more, though its answer may differ — a second DELETE may
 * answer 404). A POST is sent once unless its route says otherwise (`repeatable: true`: cancelling a
 * task, pausing or resuming a schedule). The gateway takes no idempotency key on its POSTs, so a task
 * submission is never sent again: a retry could start the task twice.
 */
export function repeatableByMethod(method: HttpMethod): boolean {
  return method !== 'POST';
}

/**
 * The pause before try `attempt` (1 for the first retry): decorrelated jitter between the initial
 * delay and three times the previous pause, capped — so many clients that failed together do not come
 * back together.
 */
export function backoffMs(
  previousMs: number,
  options: { initialDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const low = options.initialDelayMs;
  const high = Math.max(low, previousMs * 3);
  return Math.min(options.maxDelayMs, low + random() * (high - low));
}
