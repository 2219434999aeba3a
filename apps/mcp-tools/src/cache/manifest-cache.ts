import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DEFAULT_TENANT, Tools } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import type { TenantUser } from '../tenancy/tenant-scope.js';
import { RedisService } from './redis.service.js';

/** What is cached of a manifest: the tools offered, and those left out as unconfigured. */
export const CachedManifest = Tools.Manifest.pick({ tools: true, unconfigured: true });
export type CachedManifest = z.infer<typeof CachedManifest>;

/** Where a manifest is (or would be) cached; pass it back to `store` so a concurrent change wins. */
export interface CacheSlot {
  /** Undefined when the cache cannot be used (Redis unreachable): nothing is stored then. */
  key?: string | undefined;
  entry?: CachedManifest | undefined;
}

/**
 * Per-user manifest cache in Redis. A user's entries live under one generation counter: bumping it
 * (on any change of that user's authorizations) invalidates all of them at once. The registry's
 * fingerprint is part of the key, so a registry change invalidates everyone's. A user is one of a
 * tenant (their grants and policies are that tenant's): the same user id in another tenant has
 * entries and a counter of its own.
 *
 * The generation is read once, before the manifest is computed, and the result is stored under that
 * same key: a grant that lands while a manifest is being built bumps the generation, so the stale
 * manifest is stored under a key nobody reads again.
 *
 * Only a cache: while Redis is unreachable every lookup misses (the caller builds the manifest) and
 * nothing is stored. A user whose authorizations changed during the outage is not served from the
 * cache until the generation bump, retried when Redis is back, has landed.
 */
@Injectable()
export class ManifestCache {
  /** Users (`userKey`) whose invalidation waits for Redis to be back. */
  private readonly unbumped = new Set<string>();

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: McpToolsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    redis.onReconnect(() => void this.bumpPending());
  }

  async lookup(
    user: TenantUser,
    role: string,
    variant: unknown,
    registryVersion: string,
  ): Promise<CacheSlot> {
    const who = userKey(user);
    if (!this.redis.available || this.unbumped.has(who)) return {};
    try {
      const generation = (await this.redis.get(generationKey(who))) ?? '0';
      const hash = createHash('sha256')
        .update(JSON.stringify({ role, variant, registryVersion }))
        .digest('hex')
        .slice(0, 16);
      const key = `manifest:${who}:${generation}:${hash}`;
      const raw = await this.redis.get(key);
      return { key, entry: raw ? parse(raw) : undefined };
    } catch (e) {
      this.logger.debug({ err: e }, 'manifest cache unavailable; building the manifest');
      return {};
    }
  }

  /** Stores the manifest in its slot; a cache that cannot take it is skipped (logged at debug). */
  async store(slot: CacheSlot, entry: CachedManifest): Promise<void> {
    if (!slot.key) return;
    await this.redis
      .set(slot.key, JSON.stringify(entry), 'EX', this.config.MANIFEST_CACHE_TTL_SECONDS)
      .catch((e: unknown) => this.logger.debug({ err: e }, 'manifest not cached'));
  }

  /**
   * Invalidates the user's cached manifests. While Redis is unreachable the bump is remembered and
   * made when it is back; until then this replica does not serve that user from the cache.
   */
  async invalidateUser(user: TenantUser): Promise<void> {
    const who = userKey(user);
    try {
      await this.redis.incr(generationKey(who));
    } catch (e) {
      this.unbumped.add(who);
      this.logger.warn(
        { err: e, user: who },
        'could not invalidate cached manifests (Redis unavailable); retried when it is back',
      );
    }
  }

  private async bumpPending(): Promise<void> {
    for (const who of [...this.unbumped]) {
      try {
        await this.redis.incr(generationKey(who));
        this.unbumped.delete(who);
      } catch {
        return; // gone again: the next reconnect retries
      }
    }
  }
}

/** A cached entry, or undefined for anything else (an entry of an older format is a miss). */
function parse(raw: string): CachedManifest | undefined {
  try {
    const parsed = CachedManifest.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A user's part of the cache keys: the user id in the default tenant (the keys it had before tenants),
 * `tenant/user` in any other. No user id holds a "/", so the two forms never meet.
 */
const userKey = ({ tenantId, userId }: TenantUser): string =>
  tenantId === DEFAULT_TENANT ? userId : `${tenantId}/${userId}`;

const generationKey = (who: string) => `manifest:gen:${who}`;
