import type { RedisSettings } from '@switchboard/runtime';

/**
 * The gateway's Redis (OptionalRedis, keys under REDIS_KEY_PREFIX): rate limits, stream slots, task
 * owners and the tenant quotas live here so they hold across replicas. A limiter and a cache, never a
 * dependency of a request: while it is unreachable the limits let requests through and owner records
 * are skipped — except for tenants under a quota, which are refused (a quota is a cost control;
 * docs/quotas.md).
 */
export const GATEWAY_REDIS: RedisSettings = {
  messages: {
    lost: 'Redis unavailable: rate limits and stream caps let requests through until it is back (tenants under a quota are refused)',
    back: 'Redis is back: rate limits, stream caps and tenant quotas apply again',
  },
  // Commands sent in one turn of the event loop go to Redis in one write, answered together: a
  // task's quota admission and its owner record (issued side by side) cost one round trip, not
  // two, and under load every request's commands of a turn share one.
  options: { enableAutoPipelining: true },
};
