import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Actor } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { rateLimited } from './rate-limiter.js';
import { GatewayRedis } from './redis.service.js';

/** A held stream slot; `release` is idempotent. */
export interface StreamSlot {
  release(): void;
}

/**
 * Caps the event streams one user holds open across every replica. Each open stream is a member of
 * the user's sorted set in Redis, scored with its lease expiry; this replica renews the leases of its
 * streams in one pipeline, so the slots of a crashed replica expire by themselves after STREAM_LEASE_MS.
 */
@Injectable()
export class StreamSlots implements OnModuleDestroy {
  private readonly held = new Map<string, string>(); // slot id → user key
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly redis: GatewayRedis,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.renewal = setInterval(() => void this.renew(), Math.floor(config.STREAM_LEASE_MS / 3));
    this.renewal.unref();
  }

  async acquire(actor: Actor, kind: string): Promise<StreamSlot> {
    const max = this.config.MAX_STREAMS_PER_USER;
    const id = randomUUID();
    const key = `streams:${actor.userId}`;
    let admitted = true;
    if (max > 0) {
      try {
        const now = Date.now();
        const lease = this.config.STREAM_LEASE_MS;
        const result = await this.redis
          .multi()
          .zremrangebyscore(key, '-inf', now)
          .zadd(key, now + lease, id)
          .zcard(key)
          .pexpire(key, lease)
          .exec();
        const count = Number(result?.[2]?.[1] ?? 0);
        if (count > max) {
          admitted = false;
          await this.redis.zrem(key, id);
        }
      } catch (e) {
        // Same policy as the rate limiter: a Redis outage does not close the API.
        this.logger.warn({ err: e }, 'stream slots unavailable (Redis); stream let through');
      }
    }
    if (!admitted) {
      this.metrics.limited.inc({ limit: 'streams' });
      throw rateLimited(
        `at most ${max} event streams may be open at once; close one first`,
        5,
        'streams',
      );
    }
    this.held.set(id, key);
    this.metrics.openStreams.inc({ kind });
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(id);
        this.metrics.openStreams.dec({ kind });
        if (max > 0) this.redis.zrem(key, id).catch(() => undefined);
      },
    };
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0 || this.config.MAX_STREAMS_PER_USER === 0) return;
    const expiry = Date.now() + this.config.STREAM_LEASE_MS;
    const pipeline = this.redis.pipeline();
    for (const [id, key] of this.held) {
      pipeline.zadd(key, 'XX', expiry, id);
      pipeline.pexpire(key, this.config.STREAM_LEASE_MS);
    }
    await pipeline
      .exec()
      .catch((e: unknown) => this.logger.warn({ err: e }, 'could not renew stream slots'));
  }

  onModuleDestroy(): void {
    clearInterval(this.renewal);
  }
}
