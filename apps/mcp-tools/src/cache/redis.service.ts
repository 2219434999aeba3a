import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import { OptionalRedis } from '@switchboard/runtime';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';

/**
 * The Redis client (keys under REDIS_KEY_PREFIX). Redis holds only the manifest cache, so while it is
 * unreachable manifests are built without it (OptionalRedis).
 */
@Injectable()
export class RedisService extends OptionalRedis {
  constructor(
    @Inject(APP_CONFIG) config: McpToolsEnv,
    readiness: ReadinessRegistry,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(config.REDIS_URL, config.REDIS_KEY_PREFIX, readiness, logger, {
      lost: 'Redis unavailable: manifests are built without the cache until it is back',
      back: 'Redis is back: the manifest cache is used again',
    });
  }
}
