import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TENANT_QUOTA_KEY_PREFIX, TenantQuotas } from '@switchboard/runtime';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayRedis } from './redis.service.js';

/**
 * The tenant quotas (docs/quotas.md) on the gateway's Redis connection: the counters every service
 * enforcing a quota shares (REDIS_KEY_PREFIX + `quota:`). Unlike the per-user rate limits, a tenant
 * under a quota is refused while Redis is unreachable: a quota is a cost control.
 */
@Injectable()
export class GatewayQuotas extends TenantQuotas {
  constructor(
    redis: GatewayRedis,
    @Inject(APP_CONFIG) config: Pick<GatewayEnv, 'QUOTA_RETRY_AFTER_SECONDS'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(redis, {
      keyPrefix: TENANT_QUOTA_KEY_PREFIX,
      concurrencyRetryAfterSeconds: config.QUOTA_RETRY_AFTER_SECONDS,
      logger,
    });
  }
}
