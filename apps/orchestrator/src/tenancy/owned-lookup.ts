import type { Actor, Audit, DomainError } from '@switchboard/contracts';
import { audienceOf } from '../webhooks/webhook-access.js';
import type { TenantRefusals } from './tenant-refusals.js';
import type { TenantScope } from './tenant-scope.js';

/** One kind of thing a user owns in a tenant (a schedule, a webhook subscription), as stored. */
export interface OwnedKind<V extends { userId: string }> {
  /** The audit category a refused attempt is recorded in. */
  category: Audit.AuditCategory;
  /** The thing as `scope` sees it (another tenant's: undefined, as a missing one). */
  get(id: string, scope: TenantScope): Promise<V | undefined>;
  /** The newest `take` in `scope`, only `userId`'s when given. */
  list(scope: TenantScope, userId: string | undefined, take: number): Promise<V[]>;
  /** The tenant it is in, whoever asks (undefined: none). */
  tenantOf(id: string): Promise<string | undefined>;
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
    private readonly kind: OwnedKind<V>,
  ) {}

  /** The newest `limit` the actor may see: a user's own; an admin's, all of their tenant's. */
  list(actor: Actor, limit: number): Promise<V[]> {
    const who = audienceOf(actor);
    return this.kind.list(who.scope, who.userId, limit);
  }

  async find(id: string, actor: Actor, action: string): Promise<V> {
    const who = audienceOf(actor);
    const view = await this.kind.get(id, who.scope);
    if (view && (!who.userId || view.userId === who.userId)) return view;
    void this.refusals.ifElsewhere(actor, () => this.kind.tenantOf(id), {
      category: this.kind.category,
      action,
      resource: id,
    });
    throw this.kind.notFound(id);
  }
}
