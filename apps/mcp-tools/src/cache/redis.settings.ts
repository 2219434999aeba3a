import type { RedisSettings } from '@switchboard/runtime';

/**
 * mcp-tools' Redis (OptionalRedis, keys under REDIS_KEY_PREFIX) holds only the tenant quota counters
 * (toolCallsPerDay; manifests are cached in memory, ManifestCache), so while it is unreachable a
 * tenant without a quota calls tools uncounted (TenantQuotas).
 */
export const MCP_TOOLS_REDIS: RedisSettings = {
  messages: {
    lost: 'Redis unavailable: tool calls of tenants without a quota run uncounted, tenants under one are refused until it is back',
    back: 'Redis is back: tool call quotas are counted again',
  },
};
