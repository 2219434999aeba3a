import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { GatewayRedis } from './redis.service.js';
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

/**
 * Per-user request budget in Redis (fixed window, atomic increment), shared by every gateway replica.
 * If Redis is unreachable the request is let through and the failure logged (RedisWindow).
 */
@Injectable()
export class RequestRateLimiter {
  private readonly window: RedisWindow;

  constructor(
    redis: GatewayRedis,
    @Inject(APP_CONFIG) config: GatewayEnv,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.window = new RedisWindow(
      redis,
      {
        keyPrefix: 'rl:req',
        points: config.RATE_LIMIT_PER_MINUTE,
        durationSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      },
      logger,
      'rate limiter unavailable (Redis); request let through',
    );
  }

  async admit(actor: Actor): Promise<void> {
    const verdict = await this.window.consume(actor.userId);
    if (!verdict.limited) return;
    this.metrics.limited.inc({ limit: 'rate' });
    const retryAfter = verdict.retryAfterSeconds;
    throw rateLimited(
      `rate limit of ${this.window.points} requests per ${this.window.durationSeconds} s exceeded; retry in ${retryAfter} s`,
      retryAfter,
      'rate',
    );
  }
}
