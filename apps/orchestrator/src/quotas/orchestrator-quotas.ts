import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TENANT_QUOTA_KEY_PREFIX, TenantQuotas } from '@switchboard/runtime';
import { OrchestratorRedis } from './orchestrator-redis.js';

/**
 * The tenant quotas (docs/quotas.md) on the orchestrator's Redis connection: the counters the gateway
 * admits tasks against (REDIS_KEY_PREFIX + `quota:`), read and written here for what a task spends
 * (tokensPerDay, costPerDayUsd) and for the running slot it holds (concurrentTasks).
 */
@Injectable()
export class OrchestratorQuotas extends TenantQuotas {
  constructor(redis: OrchestratorRedis, @Inject(LOGGER) logger: Logger) {
    super(redis, { keyPrefix: TENANT_QUOTA_KEY_PREFIX, logger });
  }
}
