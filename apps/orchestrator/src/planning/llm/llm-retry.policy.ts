import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, isDomainError } from '@switchboard/contracts';
import { exponentialBackoff } from '@switchboard/messaging';

/** Waits between attempts when the server does not say how long: the openai client's own curve. */
const BACKOFF = { initialDelayMs: 500, maxDelayMs: 8_000 };

/** A wait the server asks for beyond this is not honoured as asked (as the openai client does). */
const MAX_ASKED_DELAY_MS = 60_000;

export interface LlmRetryOptions {
  /** Attempts after the first (LLM_MAX_RETRIES). */
  maxRetries: number;
  /** The task's signal: when it aborts (cancelled, out of time) no attempt follows. */
  signal: AbortSignal;
  onRetry: (error: DomainError, attempt: number, delayMs: number) => void;
}

/**
 * Runs `attempt` until it answers, asking again after a transient failure — a DomainError marked
 * retryable: an attempt that timed out, a lost connection, HTTP 408, 409, 429 or 5xx — up to
 * `maxRetries` times and only while the task's signal allows. Waits as long as the server asked
 * (`details.retryAfterMs`), else with capped jittered backoff. The last failure says how many
 * attempts were made.
 */
export async function retryLlmCall<T>(
  attempt: () => Promise<T>,
  opts: LlmRetryOptions,
): Promise<T> {
  let backoff = exponentialBackoff(BACKOFF).next();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!isDomainError(e) || opts.signal.aborted) throw e;
      if (!e.retryable || n > opts.maxRetries) throw n > 1 ? withAttempts(e, n) : e;
      const delayMs = Math.round(askedDelayMs(e) ?? backoff.duration);
      backoff = backoff.next(undefined);
      opts.onRetry(e, n, delayMs);
      // Rejects when the task's signal aborts; the caller turns that into the task's own error.
      await sleep(delayMs, undefined, { signal: opts.signal });
    }
  }
}

function askedDelayMs(e: DomainError): number | undefined {
  const asked = e.details?.['retryAfterMs'];
  return typeof asked === 'number' && asked >= 0 && asked <= MAX_ASKED_DELAY_MS ? asked : undefined;
}

function withAttempts(e: DomainError, attempts: number): DomainError {
  return new DomainError(e.code, `${e.message}; ${attempts} attempts`, {
    retryable: e.retryable,
    details: { ...e.details, attempts },
  });
}

/**
 * How long the server asked to wait before the next attempt (`retry-after-ms`, else `retry-after` in
 * seconds or as a date), from the headers of its error response.
 */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms)) return ms;
  const after = headers?.get('retry-after');
  if (!after) return undefined;
  const seconds = parseFloat(after);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
