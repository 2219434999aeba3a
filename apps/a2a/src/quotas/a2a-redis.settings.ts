import type { RedisSettings } from '@switchboard/runtime';

/**
 * a2a's Redis (OptionalRedis, keys under REDIS_KEY_PREFIX, the gateway's): it holds only the tenant
 * quota counters, so delegations never wait for it — while it is unreachable a tenant without a quota
 * delegates uncounted and a tenant under one is refused (docs/quotas.md).
 */
export const A2A_REDIS: RedisSettings = {
  messages: {
    lost: 'Redis unavailable: tenants without a quota delegate uncounted, tenants under one are refused until it is back',
    back: 'Redis is back: delegations are counted again',
  },
};
