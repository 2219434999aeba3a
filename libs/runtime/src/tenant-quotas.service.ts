import {
  Inject,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { Redis } from 'ioredis';
import { OptionalRedis } from './optional-redis.js';
import type { TenantQuotasOptions } from './tenant-quota.types.js';
import { TENANT_QUOTA_KEY_PREFIX, TenantQuotas } from './tenant-quotas.js';

/** What a service sets of its tenant quotas (the rest is the same everywhere). */
export type QuotaSettings = Pick<
  TenantQuotasOptions,
  'concurrencyRetryAfterSeconds' | 'unlimitedTtlMs'
>;

/** The provider token of a service's QuotaSettings. */
export const QUOTA_SETTINGS = Symbol.for('switchboard.quota-settings');

/**
 * The tenant quotas (docs/quotas.md) on a service's Redis connection (OptionalRedis): the counters
 * every service enforcing a quota shares (REDIS_KEY_PREFIX + `quota:`, the gateway's prefix). With
 * `unlimitedTtlMs` above 0, a second connection hears quota changes, so that the check of a tenant
 * known to have no quota is skipped; without it (or 0) there is no second connection and every
 * check asks.
 */
@Injectable()
export class TenantQuotasService extends TenantQuotas implements OnModuleInit, OnModuleDestroy {
  private readonly subscriber: Redis | undefined;
  private stopListening: (() => void) | undefined;

  constructor(
    redis: OptionalRedis,
    @Inject(QUOTA_SETTINGS) settings: QuotaSettings,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(redis, { keyPrefix: TENANT_QUOTA_KEY_PREFIX, logger, ...settings });
    if (!settings.unlimitedTtlMs) return;
    // Resubscribed by listen(), which must know when the subscription is confirmed again.
    this.subscriber = redis.duplicate({ autoResubscribe: false, lazyConnect: true });
    // Outages are logged once by the command connection (OptionalRedis); this one just reconnects.
    this.subscriber.on('error', () => undefined);
  }

  onModuleInit(): void {
    if (!this.subscriber) return;
    this.stopListening = this.listen(this.subscriber);
    void this.subscriber.connect().catch(() => undefined);
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    this.subscriber?.disconnect();
  }
}

/**
 * A service's tenant quotas (TenantQuotasService), with its settings read from its configuration
 * (none: the defaults, no second connection).
 */
export function quotaProviders<C>(settings: (config: C) => QuotaSettings = () => ({})): Provider[] {
  return [
    { provide: QUOTA_SETTINGS, inject: [APP_CONFIG], useFactory: settings },
    TenantQuotasService,
  ];
}
