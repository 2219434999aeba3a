import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Tools } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import { RedisService } from './redis.service.js';

/** Where a manifest is (or would be) cached; pass it back to `store` so a concurrent change wins. */
export interface CacheSlot {
  key: string;
  tools?: Tools.ManifestTool[] | undefined;
}

/**
 * Per-user manifest cache in Redis. A user's entries live under one generation counter: bumping it
 * (on any change of that user's authorizations) invalidates all of them at once. The registry's
 * fingerprint is part of the key, so a registry change invalidates everyone's.
 *
 * The generation is read once, before the manifest is computed, and the result is stored under that
 * same key: a grant that lands while a manifest is being built bumps the generation, so the stale
 * manifest is stored under a key nobody reads again.
 */
@Injectable()
export class ManifestCache {
  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: McpToolsEnv,
  ) {}

  async lookup(
    userId: string,
    role: string,
    variant: unknown,
    registryVersion: string,
  ): Promise<CacheSlot> {
    const generation = (await this.redis.get(generationKey(userId))) ?? '0';
    const hash = createHash('sha256')
      .update(JSON.stringify({ role, variant, registryVersion }))
      .digest('hex')
      .slice(0, 16);
    const key = `manifest:${userId}:${generation}:${hash}`;
    const raw = await this.redis.get(key);
    if (!raw) return { key };
    try {
      const parsed = Tools.ManifestTool.array().safeParse(JSON.parse(raw));
      return { key, tools: parsed.success ? parsed.data : undefined };
    } catch {
      return { key };
    }
  }

  async store(slot: CacheSlot, tools: Tools.ManifestTool[]): Promise<void> {
    await this.redis.set(
      slot.key,
      JSON.stringify(tools),
      'EX',
      this.config.MANIFEST_CACHE_TTL_SECONDS,
    );
  }

  async invalidateUser(userId: string): Promise<void> {
    await this.redis.incr(generationKey(userId));
  }
}

const generationKey = (userId: string) => `manifest:gen:${userId}`;
