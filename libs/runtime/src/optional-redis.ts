import {
  Inject,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import { Redis, type RedisOptions } from 'ioredis';

/** What the log says when Redis goes away and when it is back (what the service does meanwhile). */
export interface RedisOutageMessages {
  lost: string;
  back: string;
}

/** What each service says of its Redis: its outage messages and what it adds to the client. */
export interface RedisSettings {
  messages: RedisOutageMessages;
  /** What a service adds, e.g. `enableAutoPipelining` (commands of one loop turn in one write). */
  options?: Pick<RedisOptions, 'enableAutoPipelining'>;
}

/** The provider token of a service's RedisSettings. */
export const REDIS_SETTINGS = Symbol.for('switchboard.redis-settings');

/** The settings a service's Redis client reads from its configuration. */
export interface RedisConfig {
  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;
}

/**
 * A Redis client for a service that uses Redis only as a cache or a limiter, so it works without it:
 * commands fail at once while Redis is unreachable (no offline queue, one retry, a 2 s command
 * timeout) and callers check `available` to skip it; the service starts without it and ioredis keeps
 * reconnecting. Readiness reports it ("redis"), and the log says when it goes away and comes back,
 * once each, not per command.
 */
@Injectable()
export class OptionalRedis extends Redis implements OnModuleInit, OnModuleDestroy {
  private lost = false;
  private readonly reconnected = new Set<() => void>();

  constructor(
    @Inject(APP_CONFIG) config: RedisConfig,
    @Inject(REDIS_SETTINGS) settings: RedisSettings,
    private readonly readiness: ReadinessRegistry,
    @Inject(LOGGER) private readonly outageLogger: Logger,
  ) {
    super(config.REDIS_URL, {
      keyPrefix: config.REDIS_KEY_PREFIX,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 2_000,
      ...settings.options,
    });
    this.on('error', (e: Error) => {
      if (this.lost) return;
      this.lost = true;
      this.outageLogger.warn({ err: e }, settings.messages.lost);
    });
    this.on('ready', () => {
      if (!this.lost) return;
      this.lost = false;
      this.outageLogger.info(settings.messages.back);
      for (const listener of this.reconnected) listener();
    });
  }

  /** Whether commands can be sent now (connected and ready). */
  get available(): boolean {
    return this.status === 'ready';
  }

  /** Calls `listener` each time Redis is usable again after an outage. */
  onReconnect(listener: () => void): void {
    this.reconnected.add(listener);
  }

  async onModuleInit(): Promise<void> {
    this.readiness.register('redis', async () => {
      if (!this.available) throw new Error(`unreachable (connection ${this.status})`);
      if ((await this.ping()) !== 'PONG') throw new Error('Redis did not answer PONG');
    });
    await this.connect().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.quit().catch(() => this.disconnect());
  }
}

/** A service's one Redis client (OptionalRedis) with its settings. */
export function redisProviders(settings: RedisSettings): Provider[] {
  return [{ provide: REDIS_SETTINGS, useValue: settings }, OptionalRedis];
}
