import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import { OptionalRedis } from '@switchboard/runtime';
import type { A2aEnv } from '../config/a2a.env.js';

/**
 * a2a's Redis client (keys under REDIS_KEY_PREFIX, the gateway's): it holds only the tenant quota
 * counters, so delegations never wait for it — while it is unreachable a tenant without a quota
 * delegates uncounted and a tenant under one is refused (docs/quotas.md).
 */
@Injectable()
export class A2aRedis extends OptionalRedis {
  constructor(
    @Inject(APP_CONFIG) config: Pick<A2aEnv, 'REDIS_URL' | 'REDIS_KEY_PREFIX'>,
    readiness: ReadinessRegistry,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(config.REDIS_URL, config.REDIS_KEY_PREFIX, readiness, logger, {
      lost: 'Redis unavailable: tenants without a quota delegate uncounted, tenants under one are refused until it is back',
      back: 'Redis is back: delegations are counted again',
    });
  }
}
