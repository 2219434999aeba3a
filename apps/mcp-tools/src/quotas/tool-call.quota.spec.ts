import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import { type OptionalRedis, TenantQuotasService } from '@switchboard/runtime';
import { EventEmitter } from 'node:events';
import { McpToolsEnv } from '../config/mcp-tools.env.js';
import { mcpToolsQuotaSettings, ToolCallQuota } from './tool-call.quota.js';

/** mcp-tools' Redis as the quotas use it: a DAILY script saying no quota applies, a duplicate. */
function setUp(QUOTA_UNLIMITED_CACHE_MS: number) {
  const seen = { scripts: 0, duplicated: [] as object[], disconnected: 0 };
  const subscriber = Object.assign(new EventEmitter(), {
    status: 'wait',
    subscribe: async () => 1,
    connect: async () => {
      subscriber.status = 'ready';
      subscriber.emit('ready');
    },
    disconnect: () => void seen.disconnected++,
  });
  const redis = {
    status: 'ready',
    options: { keyPrefix: 'sb:' },
    defineCommand: () => undefined,
    on: () => undefined,
    sbQuotaDaily: async () => (seen.scripts++, [1, 0]),
    duplicate: (override: object) => (seen.duplicated.push(override), subscriber),
  } as unknown as OptionalRedis;
  const logger = { warn: () => undefined, info: () => undefined } as unknown as Logger;
  const config = { QUOTA_UNLIMITED_CACHE_MS } as McpToolsEnv;
  const quotas = new TenantQuotasService(redis, mcpToolsQuotaSettings(config), logger);
  return { quotas, sut: new ToolCallQuota(quotas), seen, subscriber };
}

const ada = { userId: 'ada', tenantId: 'acme' };

describe(ToolCallQuota.name, () => {
  it('asks Redis once about a tenant no quota applies to, then takes its calls without a round trip', async () => {
    const { quotas, sut, seen } = setUp(30_000);
    quotas.onModuleInit();
    expect(seen.duplicated).toEqual([{ autoResubscribe: false, lazyConnect: true }]);
    await new Promise<void>((resolve) => setImmediate(resolve)); // the subscription's confirmation
    expect(sut.limits(ada)).toBe(true); // not heard of yet
    await sut.take(ada);
    await sut.take(ada);
    await sut.take(ada);
    expect(seen.scripts).toBe(1);
    expect(sut.limits(ada)).toBe(false);
    quotas.onModuleDestroy();
    expect(seen.disconnected).toBe(1);
    await sut.take(ada); // no longer hearing changes: asks again
    expect(seen.scripts).toBe(2);
  });

  it('asks Redis at every call with QUOTA_UNLIMITED_CACHE_MS=0, without a second connection (default 30 s)', async () => {
    const setting = McpToolsEnv.shape.QUOTA_UNLIMITED_CACHE_MS;
    expect(setting.parse(undefined)).toBe(30_000);
    expect(setting.parse('0')).toBe(0);
    expect(setting.safeParse('-1').success).toBe(false);
    const { quotas, sut, seen } = setUp(0);
    quotas.onModuleInit();
    await sut.take(ada);
    await sut.take(ada);
    expect(seen.scripts).toBe(2);
    expect(seen.duplicated).toEqual([]);
    quotas.onModuleDestroy();
  });
});
