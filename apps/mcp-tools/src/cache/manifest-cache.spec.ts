import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@switchboard/observability';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import { type CachedManifest, ManifestCache } from './manifest-cache.js';
import type { RedisService } from './redis.service.js';

const logger = createLogger({
  service: 'mcp-tools',
  instance: 't',
  level: 'silent',
  pretty: false,
});

/** The cache over an in-memory Redis. */
function setup() {
  const kv = new Map<string, string>();
  const redis = {
    available: true,
    onReconnect: () => undefined,
    get: async (k: string) => kv.get(k) ?? null,
    set: async (k: string, v: string) => void kv.set(k, v),
    incr: async (k: string) => {
      const n = Number(kv.get(k) ?? '0') + 1;
      kv.set(k, String(n));
      return n;
    },
  } as unknown as RedisService;
  const config = { MANIFEST_CACHE_TTL_SECONDS: 60 } as McpToolsEnv;
  return { kv, cache: new ManifestCache(redis, config, logger) };
}

const ENTRY: CachedManifest = { tools: [] };
const alice = { tenantId: 'default', userId: 'alice' };
const acmeAlice = { tenantId: 'acme', userId: 'alice' };

describe(`${ManifestCache.name} and tenants`, () => {
  it("keeps the default tenant's keys as they were, and each other tenant's user apart", async () => {
    const { kv, cache } = setup();
    await cache.store(await cache.lookup(alice, 'user', {}, 'r1'), ENTRY);
    await cache.store(await cache.lookup(acmeAlice, 'user', {}, 'r1'), ENTRY);
    expect([...kv.keys()].map((k) => k.replace(/:[0-9a-f]{16}$/, ':<hash>')).sort()).toEqual([
      'manifest:acme/alice:0:<hash>',
      'manifest:alice:0:<hash>',
    ]);
  });

  it("invalidates one tenant's user without touching the same user id in another tenant", async () => {
    const { cache } = setup();
    await cache.store(await cache.lookup(alice, 'user', {}, 'r1'), ENTRY);
    await cache.store(await cache.lookup(acmeAlice, 'user', {}, 'r1'), ENTRY);
    await cache.invalidateUser(acmeAlice);
    expect((await cache.lookup(acmeAlice, 'user', {}, 'r1')).entry).toBeUndefined();
    expect((await cache.lookup(alice, 'user', {}, 'r1')).entry).toEqual(ENTRY);
  });
});
