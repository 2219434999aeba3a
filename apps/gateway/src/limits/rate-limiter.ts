import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { OptionalRedis } from '@switchboard/runtime';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { RedisWindow } from './redis-window.js';

/** A 429 whose Retry-After (seconds) the error filter turns into the header. */
export function rateLimited(
  message: string,
  retryAfterSeconds: number,
  limit: string,
): DomainError {
  return new DomainError('RATE_LIMITED', message, {
    details: { retryAfterSeconds, limit },
    retryable: true,
  });
}

/** Per-user counters: `rl:req:<user>` (rate-limiter-flexible's `<keyPrefix>:<key>`). */
const RATE_KEY_PREFIX = 'rl:req';

/**
 * Per-user request budget in Redis (fixed window, atomic increment), shared by every gateway replica.
 * If Redis is unreachable the request is let through and the failure logged (RedisWindow).
 */
@Injectable()
export class RequestRateLimiter {
  private readonly window: RedisWindow;

  constructor(
    redis: OptionalRedis,
    @Inject(APP_CONFIG) config: GatewayEnv,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.window = new RedisWindow(
      redis,
      {
        keyPrefix: RATE_KEY_PREFIX,
        points: config.RATE_LIMIT_PER_MINUTE,
        durationSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      },
      logger,
      'rate limiter unavailable (Redis); request let through',
    );
  }

  async admit(actor: Actor): Promise<void> {
    const verdict = await this.window.consume(actor.userId);
    if (verdict.limited) throw this.refusal(verdict.retryAfterSeconds);
  }

  /**
   * The request's charge, left to the script that admits the task it submits (TaskAdmission: one
   * round trip for the rate window, the quotas, the stream slot and the owner record); charged alone
   * if the request ends before (DeferredRateCharge).
   */
  defer(actor: Actor): DeferredRateCharge {
    return new DeferredRateCharge(this, actor);
  }

  /** The limit per window (0: off), the window in seconds and the user's counter's key. */
  windowOf(actor: Actor): { points: number; durationSeconds: number; key: string } {
    const { points, durationSeconds } = this.window;
    return { points, durationSeconds, key: `${RATE_KEY_PREFIX}:${actor.userId}` };
  }

  /** A request over the limit: 429 naming `rate`, with Retry-After; counted. */
  refusal(retryAfterSeconds: number): DomainError {
    this.metrics.limited.inc({ limit: 'rate' });
    return rateLimited(
      `rate limit of ${this.window.points} requests per ${this.window.durationSeconds} s exceeded; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
      'rate',
    );
  }
}

/**
 * The rate-limit charge of a request that submits a task, made by the task's admission script (one
 * round trip for it all), or alone: before work a user over the limit must not cause (`settle`: a
 * webhook's check), or after the request if it ended before its admission (a refused body), so that
 * every request is counted once. A request refused for its body before its admission answers 400,
 * not 429, even over the limit: it caused nothing but its validation.
 */
export class DeferredRateCharge {
  private pending = true;

  constructor(
    private readonly limiter: Pick<RequestRateLimiter, 'admit'>,
    readonly actor: Actor,
  ) {}

  /** Hands the charge to an admission script: true the first time (the script counts it). */
  take(): boolean {
    const was = this.pending;
    this.pending = false;
    return was;
  }

  /** Charges it now, alone, unless something took it: RATE_LIMITED over the limit. */
  async settle(): Promise<void> {
    if (this.take()) await this.limiter.admit(this.actor);
  }
}
