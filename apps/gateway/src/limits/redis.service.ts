import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { ReadinessRegistry } from '@switchboard/observability';
import { Redis } from 'ioredis';
import type { GatewayEnv } from '../config/gateway.env.js';

/**
 * The gateway's Redis client (keys under REDIS_KEY_PREFIX): rate limits, stream slots and task
 * owners live here so they hold across replicas. Readiness pings it.
 */
@Injectable()
export class GatewayRedis extends Redis implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(APP_CONFIG) config: GatewayEnv,
    private readonly readiness: ReadinessRegistry,
  ) {
    super(config.REDIS_URL, {
      keyPrefix: config.REDIS_KEY_PREFIX,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2_000,
    });
    // Errors surface through readiness and the calls that fail; ioredis reconnects by itself.
    this.on('error', () => undefined);
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
    this.readiness.register('redis', async () => {
      if ((await this.ping()) !== 'PONG') throw new Error('Redis did not answer PONG');
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.quit().catch(() => this.disconnect());
  }
}
