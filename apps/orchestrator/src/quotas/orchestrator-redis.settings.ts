import type { RedisSettings } from '@switchboard/runtime';

/**
 * The orchestrator's Redis (OptionalRedis, keys under REDIS_KEY_PREFIX, the gateway's): it holds only
 * the tenant quota counters, so tasks never wait for it — while it is unreachable a tenant without a
 * quota runs uncounted and a tenant under one is refused its next planning round (docs/quotas.md).
 */
export const ORCHESTRATOR_REDIS: RedisSettings = {
  messages: {
    lost: 'Redis unavailable: tenants without a quota run uncounted, tenants under one are refused their next planning round until it is back',
    back: 'Redis is back: token and cost budgets and task slots are counted again',
  },
};
