import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import { OptionalRedis } from '@switchboard/runtime';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';

/**
 * The Redis client (keys under REDIS_KEY_PREFIX). Redis holds only the tenant quota counters
 * (toolCallsPerDay; manifests are cached in memory, ManifestCache), so while it is unreachable a
 * tenant without a quota calls tools uncounted (OptionalRedis, TenantQuotas).
 */
@Injectable()
export class RedisService extends OptionalRedis {
  constructor(
    @Inject(APP_CONFIG) config: McpToolsEnv,
    readiness: ReadinessRegistry,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(config.REDIS_URL, config.REDIS_KEY_PREFIX, readiness, logger, {
      lost: 'Redis unavailable: tool calls of tenants without a quota run uncounted, tenants under one are refused until it is back',
      back: 'Redis is back: tool call quotas are counted again',
    });
  }
}
