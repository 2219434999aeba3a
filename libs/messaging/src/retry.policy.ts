import { DomainError, isDomainError } from '@switchboard/contracts';
import {
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  retry,
} from 'cockatiel';
import { isTransportFailure } from './messaging.errors.js';

/** Capped exponential backoff: the first wait is about `initialDelayMs`, none is over `maxDelayMs`. */
export interface BackoffSettings {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with decorrelated jitter (cockatiel), so callers that failed together do not
 * come back in lockstep.
 */
export function exponentialBackoff(settings: BackoffSettings): ExponentialBackoff<unknown> {
  return new ExponentialBackoff({
    initialDelay: settings.initialDelayMs,
    maxDelay: settings.maxDelayMs,
    generator: decorrelatedJitterGenerator,
  });
}

/** Shortens every wait of `inner` to what `room()` (milliseconds) still allows. */
class BoundedBackoff<T> implements IBackoffFactory<T> {
  constructor(
    private readonly inner: IBackoffFactory<T>,
    private readonly room: () => number,
  ) {}

  next(context: T): IBackoff<T> {
    return this.bound(this.inner.next(context));
  }

  private bound(backoff: IBackoff<T>): IBackoff<T> {
    return {
      duration: Math.max(0, Math.min(backoff.duration, this.room())),
      next: (context: T) => this.bound(backoff.next(context)),
    };
  }
}

/**
 * Timer-driven retries for something that reconnects in the background (a connection to an external
 * server): `schedule` runs the attempt after the next backoff delay, `reset` after a success starts the
 * next outage from the initial delay, `cancel` on close. The timer does not keep the process alive.
 */
export class RetrySchedule {
  private readonly factory: ExponentialBackoff<unknown>;
  private backoff: IBackoff<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(settings: BackoffSettings) {
    this.factory = exponentialBackoff(settings);
  }

  /** Whether an attempt is waiting for its turn. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Runs `attempt` after the next delay, unless one is already waiting; returns the delay (ms). */
  schedule(attempt: () => void): number | undefined {
    if (this.timer) return undefined;
    this.backoff = this.backoff ? this.backoff.next(undefined) : this.factory.next();
    const delay = Math.round(this.backoff.duration);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      attempt();
    }, delay);
    this.timer.unref();
    return delay;
  }

  reset(): void {
    this.backoff = undefined;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export interface RetryOptions {
  backoff: BackoffSettings;
  /** Whether a failure is worth another attempt (default: every failure). */
  retryIf?: (error: unknown) => boolean;
  /** Attempts after the first (default: no limit). */
  maxRetries?: number;
  /** Epoch ms after which no attempt starts; waits are shortened to end by then. */
  until?: () => number;
  /** Ends the retries: the returned promise rejects with the signal's reason at once. */
  signal?: AbortSignal;
  /** Lets the process exit while a retry waits (background reconnects). */
  unref?: boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `fn` (attempt 0, 1, 2…) until it succeeds, waiting between attempts per the backoff, for as long
 * as the failure is retryable, the attempts and the time allow and `signal` is not aborted; then
 * rejects with the last failure.
 */
export async function retryWithBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  const room = () => (opts.until ? opts.until() - Date.now() : Number.POSITIVE_INFINITY);
  const base = retry(
    handleWhen((e) => !opts.signal?.aborted && (opts.retryIf?.(e) ?? true) && room() > 0),
    {
      maxAttempts: opts.maxRetries ?? Number.MAX_SAFE_INTEGER,
      backoff: new BoundedBackoff(exponentialBackoff(opts.backoff), room),
    },
  );
  const policy = opts.unref ? base.dangerouslyUnref() : base;
  const onRetry = opts.onRetry;
  const listener = onRetry
    ? policy.onRetry((ev) => {
        if ('error' in ev) onRetry(ev.error, ev.attempt, Math.round(ev.delay));
      })
    : undefined;
  const signal = opts.signal;
  const run = policy
    .execute(({ attempt }) => {
      if (signal?.aborted) throw abortReason(signal);
      return fn(attempt);
    }, signal)
    .finally(() => listener?.dispose());
  return signal ? untilAborted(run, signal) : run;
}

/** The error an aborted signal stands for: its reason when that is an Error, else CANCELLED. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DomainError('CANCELLED', typeof reason === 'string' ? reason : 'aborted');
}

/** `p`, or a rejection with the signal's reason as soon as it aborts (a wait in progress included). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * How long a request's retries may go on, and what stops them. A caller that gives neither `deadline`
 * nor `maxOutageMs` has no time for retries: its request is sent once (an HTTP edge answers a
 * retryable 503 at once rather than holding its client).
 */
export interface RetryBudget {
  /**
   * Epoch ms after which no attempt starts, e.g. the task's deadline. Default with `maxOutageMs`: the
   * request's own timeout after the first attempt.
   */
  deadline?: number;
  /** Longest a run of failures is retried, counted from the first failure (default: to the deadline). */
  maxOutageMs?: number;
  /** Aborts the attempt in flight and any further one. */
  signal?: AbortSignal;
  /** Waits between attempts (default REQUEST_BACKOFF), e.g. from the caller's configuration. */
  backoff?: BackoffSettings;
}

/** Waits between attempts of a repeatable request: from ~100 ms, doubling, capped at 2 s. */
export const REQUEST_BACKOFF: BackoffSettings = { initialDelayMs: 100, maxDelayMs: 2_000 };

/** An attempt with less time than this left is not started. */
const MIN_ATTEMPT_MS = 50;

export interface RequestRetryOptions extends RetryBudget {
  /** The most one attempt waits for its reply. */
  timeoutMs: number;
  /** Sending it again is harmless (contracts' `idempotency`); otherwise it is sent exactly once. */
  repeatable: boolean;
  onRetry?: (error: DomainError, attempt: number, delayMs: number) => void;
}

/**
 * The one retry policy of NATS requests. A repeatable request that failed in transport (no responders,
 * no reply in time, connection lost: `isTransportFailure`) is sent again after a capped, jittered
 * backoff, while the budget allows: never past the deadline nor longer than `maxOutageMs` after the
 * first failure. Each attempt waits at most `timeoutMs` and never past the deadline. Answers, errors
 * included, are never retried here; a request that is not repeatable, or whose caller gave no budget,
 * is sent once.
 */
export function retryRequest<T>(
  send: (attemptTimeoutMs: number) => Promise<T>,
  opts: RequestRetryOptions,
): Promise<T> {
  const budgeted = opts.deadline !== undefined || opts.maxOutageMs !== undefined;
  if (!opts.repeatable || !budgeted) return send(opts.timeoutMs);
  const deadline = opts.deadline ?? Date.now() + opts.timeoutMs;
  let limit = deadline;
  let firstFailure: number | undefined;
  let lastFailure: unknown;
  const left = () => limit - Date.now();
  const onRetry = opts.onRetry;
  const attempt = (n: number): Promise<T> => {
    // A wait that overran (a busy event loop) does not buy an attempt past the limit.
    if (n > 0 && left() <= 0) throw lastFailure;
    return send(Math.max(1, Math.min(opts.timeoutMs, left())));
  };
  return retryWithBackoff(attempt, {
    backoff: opts.backoff ?? REQUEST_BACKOFF,
    retryIf: (e) => {
      if (!isTransportFailure(e)) return false;
      lastFailure = e;
      firstFailure ??= Date.now();
      if (opts.maxOutageMs !== undefined)
        limit = Math.min(deadline, firstFailure + opts.maxOutageMs);
      return true;
    },
    until: () => limit - MIN_ATTEMPT_MS,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(onRetry
      ? {
          onRetry: (e: unknown, attempt: number, delayMs: number) => {
            if (isDomainError(e)) onRetry(e, attempt, delayMs);
          },
        }
      : {}),
  });
}
