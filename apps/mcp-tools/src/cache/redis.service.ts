import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { ReadinessRegistry } from '@switchboard/observability';
import { Redis } from 'ioredis';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';

/** The Redis client (keys under REDIS_KEY_PREFIX). Readiness pings it. */
@Injectable()
export class RedisService extends Redis implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(APP_CONFIG) config: McpToolsEnv,
    private readonly readiness: ReadinessRegistry,
  ) {
    super(config.REDIS_URL, {
      keyPrefix: config.REDIS_KEY_PREFIX,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
    this.readiness.register('redis', () => this.ping());
  }

  async onModuleDestroy(): Promise<void> {
    await this.quit().catch(() => this.disconnect());
  }
}
