import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import { OptionalRedis } from '@switchboard/runtime';
import type { GatewayEnv } from '../config/gateway.env.js';

/**
 * The gateway's Redis client (keys under REDIS_KEY_PREFIX): rate limits, stream slots, task owners
 * and the tenant quotas live here so they hold across replicas. A limiter and a cache, never a
 * dependency of a request: while it is unreachable the limits let requests through and owner records
 * are skipped (OptionalRedis) — except for tenants under a quota, which are refused (a quota is a
 * cost control; docs/quotas.md).
 */
@Injectable()
export class GatewayRedis extends OptionalRedis {
  constructor(
    @Inject(APP_CONFIG) config: GatewayEnv,
    readiness: ReadinessRegistry,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(
      config.REDIS_URL,
      config.REDIS_KEY_PREFIX,
      readiness,
      logger,
      {
        lost: 'Redis unavailable: rate limits and stream caps let requests through until it is back (tenants under a quota are refused)',
        back: 'Redis is back: rate limits, stream caps and tenant quotas apply again',
      },
      // Commands sent in one turn of the event loop go to Redis in one write, answered together: a
      // task's quota admission and its owner record (issued side by side) cost one round trip, not
      // two, and under load every request's commands of a turn share one.
      { enableAutoPipelining: true },
    );
  }
}
