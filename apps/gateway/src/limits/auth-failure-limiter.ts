import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayRedis } from './redis.service.js';

/** What one more refused authentication from an address means. */
export type RefusalVerdict =
  | { limited: false }
  /** `first`: the refusal that crossed the limit (audited once for the rest of the window). */
  | { limited: true; first: boolean; retryAfterSeconds: number };

/**
 * Counts refused authentications per client address in Redis (fixed window, shared by every replica).
 * Only refusals are counted and only refusals are limited: a valid credential from the same address
 * still passes, so an attacker behind a shared address (NAT, a proxy not named in TRUST_PROXY) cannot
 * lock its users out; what the limit bounds is the audit rows and the work refused requests cause.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly limiter: RateLimiterRedis | undefined;

  constructor(
    redis: GatewayRedis,
    @Inject(APP_CONFIG) config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.limiter =
      config.AUTH_FAILURE_LIMIT > 0
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: 'rl:authfail',
            points: config.AUTH_FAILURE_LIMIT,
            duration: config.AUTH_FAILURE_WINDOW_SECONDS,
            rejectIfRedisNotReady: true,
          })
        : undefined;
  }

  get limit(): number {
    return this.limiter?.points ?? 0;
  }

  get windowSeconds(): number {
    return this.limiter?.duration ?? 0;
  }

  /** Counts one refusal from `address`. Redis being away lets it through, like the other limits. */
  async refused(address: string): Promise<RefusalVerdict> {
    if (!this.limiter) return { limited: false };
    try {
      await this.limiter.consume(address, 1);
      return { limited: false };
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        return {
          limited: true,
          first: e.consumedPoints === this.limiter.points + 1,
          retryAfterSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)),
        };
      }
      this.logger.warn({ err: e }, 'auth failure limiter unavailable (Redis); refusal not counted');
      return { limited: false };
    }
  }
}
