import type { Logger } from '@switchboard/observability';
import type { OptionalRedis } from '@switchboard/runtime';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** What one more count against a key means. */
export type WindowVerdict =
  | { limited: false }
  /** `consumed`: counts in the window including this one (limit + 1 for the first one over). */
  | { limited: true; consumed: number; retryAfterSeconds: number };

/**
 * A fixed-window counter per key in Redis (atomic increment), shared by every gateway replica; `points`
 * 0 turns it off. If Redis is unreachable the count is let through: readiness and one log line
 * (OptionalRedis) report the outage, and an outage of a limiter should not become an outage of the API.
 */
export class RedisWindow {
  private readonly limiter: RateLimiterRedis | undefined;

  constructor(
    private readonly redis: OptionalRedis,
    opts: { keyPrefix: string; points: number; durationSeconds: number },
    private readonly logger: Logger,
    /** Logged when Redis is away, e.g. 'rate limiter unavailable (Redis); request let through'. */
    private readonly unavailable: string,
  ) {
    this.limiter =
      opts.points > 0
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: opts.keyPrefix,
            points: opts.points,
            duration: opts.durationSeconds,
            rejectIfRedisNotReady: true,
          })
        : undefined;
  }

  /** The limit per window; 0 when off. */
  get points(): number {
    return this.limiter?.points ?? 0;
  }

  /** The window in seconds; 0 when off. */
  get durationSeconds(): number {
    return this.limiter?.duration ?? 0;
  }

  async consume(key: string): Promise<WindowVerdict> {
    if (!this.limiter || !this.redis.available) return { limited: false };
    try {
      await this.limiter.consume(key, 1);
      return { limited: false };
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        return {
          limited: true,
          consumed: e.consumedPoints,
          retryAfterSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)),
        };
      }
      // Lost between the check and the call: let it through (the outage itself is logged once).
      this.logger.debug({ err: e }, this.unavailable);
      return { limited: false };
    }
  }
}
