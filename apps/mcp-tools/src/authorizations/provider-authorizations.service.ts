import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DomainError,
  isAdmin,
  type ResponseOf,
  spansTenants,
  tenantOf,
  type Tools,
} from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { ManifestCache } from '../cache/manifest-cache.js';
import { ToolsChangedPublisher } from '../registry/tools-changed.publisher.js';
import { ToolRegistry } from '../registry/tool-registry.service.js';
import { auditOtherTenant, readableBy, type TenantUser } from '../tenancy/tenant-scope.js';
import { ProviderAuthorizationRepository } from './provider-authorization.repository.js';

/**
 * Listing (self, or anyone for admins), granting and revoking (admins only) provider authorizations.
 * A change invalidates that user's cached manifests before it is acknowledged, is audited, and is
 * announced so open MCP sessions re-list their tools.
 *
 * Grants are per tenant. A grant is made in the tenant the admin acts in, and a tenant admin lists
 * and revokes within their own tenant only: a grant held in another tenant is answered as none (and
 * the revoke is audited as `other_tenant`). The platform operator lists and revokes a user's grants
 * in every tenant (a user id is normally in one).
 */
@Injectable()
export class ProviderAuthorizationsService {
  constructor(
    private readonly repository: ProviderAuthorizationRepository,
    private readonly registry: ToolRegistry,
    private readonly cache: ManifestCache,
    private readonly audit: AuditTrail,
    private readonly changes: ToolsChangedPublisher,
  ) {}

  async list(
    actor: Actor,
    userId: string | undefined,
  ): Promise<ResponseOf<typeof Tools.AuthorizationsList>> {
    const subject = userId ?? actor.userId;
    if (subject !== actor.userId && !isAdmin(actor)) {
      throw new DomainError('FORBIDDEN', "only admins may list another user's authorizations");
    }
    const grants = await this.repository.grantsOf(subject, readableBy(actor));
    const granted = new Set(grants.map((g) => g.provider));
    return {
      userId: subject,
      grants,
      providers: this.registry.providers().map((p) => ({
        provider: p.name,
        requiresAuthorization: p.requiresAuthorization,
        authorized: granted.has(p.name),
      })),
    };
  }

  async grant(
    actor: Actor,
    userId: string,
    provider: string,
  ): Promise<ResponseOf<typeof Tools.AuthorizationGrant>> {
    this.assertAdmin(actor, 'grant', userId, provider);
    this.assertKnown(provider);
    const user = { tenantId: tenantOf(actor), userId };
    const grant = await this.repository.grant(user, provider, actor.userId);
    this.changed(user);
    this.recorded('grant', 'success', userId, provider);
    return { userId, grant };
  }

  async revoke(
    actor: Actor,
    userId: string,
    provider: string,
  ): Promise<ResponseOf<typeof Tools.AuthorizationRevoke>> {
    this.assertAdmin(actor, 'revoke', userId, provider);
    const tenants = await this.repository.revoke(userId, provider, readableBy(actor));
    const revoked = tenants.length > 0;
    for (const tenantId of revoked ? tenants : [tenantOf(actor)])
      this.changed({ tenantId, userId });
    if (!revoked && (await this.heldInAnotherTenant(actor, userId, provider))) {
      auditOtherTenant(this.audit, {
        category: 'admin',
        action: 'tools.authorization.revoke',
        resource: `${userId}/${provider}`,
        details: { userId, provider },
      });
      return { userId, provider, revoked };
    }
    this.recorded('revoke', 'success', userId, provider, { revoked });
    return { userId, provider, revoked };
  }

  private assertAdmin(
    actor: Actor,
    verb: 'grant' | 'revoke',
    userId: string,
    provider: string,
  ): void {
    if (isAdmin(actor)) return;
    this.recorded(verb, 'denied', userId, provider, { reason: 'admin only' });
    throw new DomainError('FORBIDDEN', `only admins may ${verb} provider authorizations`);
  }

  /** The audit record of a grant or a revoke of `provider` for `userId`. */
  private recorded(
    verb: 'grant' | 'revoke',
    outcome: 'success' | 'denied',
    userId: string,
    provider: string,
    details: Record<string, unknown> = {},
  ): void {
    void this.audit.record({
      category: 'admin',
      action: `tools.authorization.${verb}`,
      outcome,
      resource: `${userId}/${provider}`,
      details: { userId, provider, ...details },
    });
  }

  private assertKnown(provider: string): void {
    if (!this.registry.provider(provider)) {
      throw new DomainError('NOT_FOUND', `unknown provider "${provider}"`, {
        details: { provider },
      });
    }
  }

  /** For a revoke that found nothing: whether the grant is another tenant's (out of the actor's reach). */
  private async heldInAnotherTenant(
    actor: Actor,
    userId: string,
    provider: string,
  ): Promise<boolean> {
    if (spansTenants(actor)) return false;
    return this.repository.heldElsewhere(userId, provider, tenantOf(actor));
  }

  private changed(user: TenantUser): void {
    this.cache.invalidateUser(user);
    this.changes.authorizationsChanged(user.userId);
  }
}
