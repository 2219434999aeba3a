import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { OptionalRedis } from '@switchboard/runtime';
import type { GatewayEnv } from '../config/gateway.env.js';
import { RedisWindow } from './redis-window.js';

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
  private readonly window: RedisWindow;

  constructor(
    redis: OptionalRedis,
    @Inject(APP_CONFIG) config: GatewayEnv,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.window = new RedisWindow(
      redis,
      {
        keyPrefix: 'rl:authfail',
        points: config.AUTH_FAILURE_LIMIT,
        durationSeconds: config.AUTH_FAILURE_WINDOW_SECONDS,
      },
      logger,
      'auth failure limiter unavailable (Redis); refusal not counted',
    );
  }

  get limit(): number {
    return this.window.points;
  }

  get windowSeconds(): number {
    return this.window.durationSeconds;
  }

  /** Counts one refusal from `address`. Redis being away lets it through, like the other limits. */
  async refused(address: string): Promise<RefusalVerdict> {
    const verdict = await this.window.consume(address);
    if (!verdict.limited) return verdict;
    return {
      limited: true,
      first: verdict.consumed === this.window.points + 1,
      retryAfterSeconds: verdict.retryAfterSeconds,
    };
  }
}
