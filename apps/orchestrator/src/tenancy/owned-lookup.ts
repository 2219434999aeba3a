import type { Actor, Audit, DomainError } from '@switchboard/contracts';
import type { TenantRefusals } from './tenant-refusals.js';
import { audienceOf, type TenantScope } from './tenant-scope.js';

/** Where one kind of thing a user owns in a tenant (a schedule, a webhook subscription) is stored. */
export interface OwnedStore<V extends { userId: string }> {
  /** The thing as `scope` sees it (another tenant's: undefined, as a missing one). */
  get(id: string, scope: TenantScope): Promise<V | undefined>;
  /** The newest `take` in `scope`, only `userId`'s when given. */
  list(scope: TenantScope, userId: string | undefined, take: number): Promise<V[]>;
  /** The tenant it is in, whoever asks (undefined: none). */
  tenantOf(id: string): Promise<string | undefined>;
}

/** How a kind's refusals are recorded and answered. */
export interface OwnedKind {
  /** The audit category a refused attempt is recorded in. */
  category: Audit.AuditCategory;
  notFound(id: string): DomainError;
}

/**
 * Lists and finds owned things for someone: their owner, an admin of their tenant, or the platform
 * operator sees them. Anyone else gets NOT_FOUND, as for a thing that does not exist (ids cannot be
 * probed); an attempt on another tenant's is audited as denied. A kind's lookup extends this with its
 * repository.
 */
export abstract class OwnedLookup<V extends { userId: string }> {
  protected constructor(
    private readonly refusals: TenantRefusals,
    private readonly store: OwnedStore<V>,
    private readonly kind: OwnedKind,
  ) {}

  /** The newest `limit` the actor may see: a user's own; an admin's, all of their tenant's. */
  list(actor: Actor, limit: number): Promise<V[]> {
    const who = audienceOf(actor);
    return this.store.list(who.scope, who.userId, limit);
  }

  async find(id: string, actor: Actor, action: string): Promise<V> {
    const who = audienceOf(actor);
    const view = await this.store.get(id, who.scope);
    if (view && (!who.userId || view.userId === who.userId)) return view;
    void this.refusals.ifElsewhere(actor, () => this.store.tenantOf(id), {
      category: this.kind.category,
      action,
      resource: id,
    });
    throw this.kind.notFound(id);
  }
}
