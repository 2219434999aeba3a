import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { GatewayRedis } from './redis.service.js';

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
 * If Redis is unreachable the request is let through and the failure logged: readiness already
 * reports Redis down, and an outage of the limiter should not become an outage of the API.
 */
@Injectable()
export class RequestRateLimiter {
  private readonly limiter: RateLimiterRedis | undefined;

  constructor(
    redis: GatewayRedis,
    @Inject(APP_CONFIG) config: GatewayEnv,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.limiter =
      config.RATE_LIMIT_PER_MINUTE > 0
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: 'rl:req',
            points: config.RATE_LIMIT_PER_MINUTE,
            duration: config.RATE_LIMIT_WINDOW_SECONDS,
            rejectIfRedisNotReady: true,
          })
        : undefined;
  }

  async admit(actor: Actor): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(actor.userId, 1);
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        this.metrics.limited.inc({ limit: 'rate' });
        const retryAfter = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        throw rateLimited(
          `rate limit of ${this.limiter.points} requests per ${this.limiter.duration} s exceeded; retry in ${retryAfter} s`,
          retryAfter,
          'rate',
        );
      }
      this.logger.warn({ err: e }, 'rate limiter unavailable (Redis); request let through');
    }
  }
}
