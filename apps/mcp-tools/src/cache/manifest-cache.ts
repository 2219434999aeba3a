import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Tools } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import type { TenantUser } from '../tenancy/tenant-scope.js';

/** What is cached of a manifest: the tools offered, and those left out as unconfigured. */
export const CachedManifest = Tools.Manifest.pick({ tools: true, unconfigured: true });
export type CachedManifest = z.infer<typeof CachedManifest>;

/** One user's cached manifests; replaced by a fresh one when the user's authorizations change. */
interface UserManifests {
  byVariant: Map<string, { entry: CachedManifest; expiresAt: number }>;
}

/** Where a manifest is (or would be) cached; pass it back to `store` so a concurrent change wins. */
export interface CacheSlot {
  entry?: CachedManifest | undefined;
  /** The user's manifests as they were at the lookup, and the variant's key among them. */
  readonly at?: { user: string; manifests: UserManifests; variant: string };
}

/**
 * Per-user manifest cache, in this replica's memory: a task's manifest costs no Redis round trip (it
 * was two reads and a write in Redis, per task of a new user). A user is one of a tenant (their grants
 * and policies are that tenant's): the same user id in another tenant has entries of its own. The
 * registry's fingerprint, the role, the constraints, the tenant's overrides and settings are part of
 * the variant's key, so a change of any of them is served at once.
 *
 * A change of a user's authorizations drops their entries here and is announced to every replica
 * (`Tools.ManifestsInvalidated`, core NATS, subscribed without a queue group), which drops them too.
 * A manifest built while a change lands is not kept: `store` keeps it only if the user's entries are
 * still the ones its lookup saw. A replica that missed the announcement (a lost message, a reconnect)
 * serves its copy for MANIFEST_CACHE_TTL_SECONDS at most; whatever a manifest offers, each tool call
 * is checked against the grants in force. At most MANIFEST_CACHE_MAX_USERS users are kept (the least
 * recently asked go first).
 */
@Injectable()
export class ManifestCache implements OnModuleInit, OnApplicationShutdown {
  private readonly users = new Map<string, UserManifests>();
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: NatsBus,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      McpToolsEnv,
      'MANIFEST_CACHE_TTL_SECONDS' | 'MANIFEST_CACHE_MAX_USERS'
    >,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Subscribed before the service takes calls, so no change announced after that is missed. */
  async onModuleInit(): Promise<void> {
    this.subscription = this.bus.subscribe(Tools.ManifestsInvalidated, (user) => this.drop(user));
    await this.subscription.ready;
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  lookup(user: TenantUser, role: string, variant: unknown, registryVersion: string): CacheSlot {
    const who = userKey(user);
    let manifests = this.users.get(who);
    if (manifests)
      this.users.delete(who); // re-inserted last: the most recently asked
    else manifests = { byVariant: new Map() };
    this.users.set(who, manifests);
    this.evict();
    const key = createHash('sha256')
      .update(JSON.stringify({ role, variant, registryVersion }))
      .digest('hex')
      .slice(0, 16);
    const kept = manifests.byVariant.get(key);
    const fresh = kept && kept.expiresAt > Date.now() ? kept.entry : undefined;
    if (kept && !fresh) manifests.byVariant.delete(key);
    return { entry: fresh, at: { user: who, manifests, variant: key } };
  }

  /** Keeps the manifest in its slot, unless the user's authorizations changed since the lookup. */
  store(slot: CacheSlot, entry: CachedManifest): void {
    const at = slot.at;
    if (!at || this.users.get(at.user) !== at.manifests) return;
    const expiresAt = Date.now() + this.config.MANIFEST_CACHE_TTL_SECONDS * 1000;
    at.manifests.byVariant.set(at.variant, { entry, expiresAt });
  }

  /**
   * The user's authorizations were just changed (committed) here: this replica's copies go at once,
   * and every other replica is told to drop theirs. An announcement that cannot be sent is logged; the
   * other replicas' copies then expire on their own.
   */
  invalidateUser(user: TenantUser): void {
    this.drop(user);
    try {
      this.bus.publish(Tools.ManifestsInvalidated, [], { ...user, at: new Date().toISOString() });
    } catch (e) {
      this.logger.warn(
        { err: e, tenantId: user.tenantId, userId: user.userId },
        'could not announce a change of authorizations to the other replicas; their manifests expire within MANIFEST_CACHE_TTL_SECONDS',
      );
    }
  }

  /** Forgets the user's manifests; one being built meanwhile is not kept either. */
  drop(user: TenantUser): void {
    this.users.delete(userKey(user));
  }

  private evict(): void {
    while (this.users.size > this.config.MANIFEST_CACHE_MAX_USERS) {
      const oldest = this.users.keys().next().value;
      if (oldest === undefined) return;
      this.users.delete(oldest);
    }
  }
}

/** A user's key: `tenant/user` (no user id holds a "/"). */
const userKey = ({ tenantId, userId }: TenantUser): string => `${tenantId}/${userId}`;
