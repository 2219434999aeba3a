import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import { OptionalRedis } from '@switchboard/runtime';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';

/**
 * The orchestrator's Redis client (keys under REDIS_KEY_PREFIX, the gateway's): it holds only the
 * tenant quota counters, so tasks never wait for it — while it is unreachable a tenant without a quota
 * runs uncounted and a tenant under one is refused its next planning round (docs/quotas.md).
 */
@Injectable()
export class OrchestratorRedis extends OptionalRedis {
  constructor(
    @Inject(APP_CONFIG) config: Pick<OrchestratorEnv, 'REDIS_URL' | 'REDIS_KEY_PREFIX'>,
    readiness: ReadinessRegistry,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(config.REDIS_URL, config.REDIS_KEY_PREFIX, readiness, logger, {
      lost: 'Redis unavailable: tenants without a quota run uncounted, tenants under one are refused their next planning round until it is back',
      back: 'Redis is back: token and cost budgets and task slots are counted again',
    });
  }
}
