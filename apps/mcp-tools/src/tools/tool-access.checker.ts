import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Tasks, tenantOf, Tools } from '@switchboard/contracts';
import { ProviderAuthorizationRepository } from '../authorizations/provider-authorization.repository.js';
import { ToolRegistry, type RegisteredTool } from '../registry/tool-registry.service.js';
import { TenantTools } from '../tenancy/tenant-tools.js';
import { decideAccess } from './tool-access.policy.js';

/**
 * Applies the access policy for listing and for calling, with the user's provider authorizations read
 * fresh from the database (never from a cache) so a revocation takes effect on the next call. Only the
 * grants of the tenant the user acts in count: a grant made in another tenant opens nothing here.
 */
@Injectable()
export class ToolAccessChecker {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly authorizations: ProviderAuthorizationRepository,
    private readonly tenantTools: TenantTools,
  ) {}

  /**
   * The registered tools `actor` may use under `constraints`, configured or not for its tenant
   * (TenantTools.needs: such a tool is offered to nobody, but the manifest says what it lacks).
   */
  async permitted(
    actor: Actor,
    constraints: Tasks.ToolConstraints | undefined,
  ): Promise<RegisteredTool[]> {
    const all = this.registry.list();
    const needsGrants = all.some(
      (t) => this.registry.provider(t.definition.provider)?.requiresAuthorization,
    );
    const authorizedProviders = needsGrants
      ? await this.authorizations.providersOf(tenantOf(actor), actor.userId)
      : new Set<string>();
    const tenant = tenantOf(actor);
    return all.filter(
      (registered) =>
        decideAccess({
          tool: registered.definition,
          provider: this.registry.provider(registered.definition.provider),
          actor,
          constraints,
          authorizedProviders,
          tenant: { id: tenant, allows: this.tenantTools.allows(tenant, registered) },
        }).allowed,
    );
  }

  /** Throws FORBIDDEN (with the reason) unless `actor` may call the tool now, for this task. */
  async assertCallable(
    actor: Actor,
    registered: RegisteredTool,
    req: Tools.ToolCallRequest,
  ): Promise<void> {
    const { definition } = registered;
    const provider = this.registry.provider(definition.provider);
    const authorizedProviders = provider?.requiresAuthorization
      ? await this.authorizations.providersOf(tenantOf(actor), actor.userId)
      : new Set<string>();
    const tenant = tenantOf(actor);
    const decision = decideAccess({
      tool: definition,
      provider,
      actor,
      constraints: req.constraints,
      authorizedProviders,
      tenant: { id: tenant, allows: this.tenantTools.allows(tenant, registered) },
    });
    if (!decision.allowed) throw notPermitted(decision.reason, { tool: req.tool });
    // After the access rule, so that nobody learns what a tool they may not use would need.
    const needs = this.tenantTools.needs(tenant, registered);
    if (needs.length) throw notConfigured(definition.name, needs);
  }
}

/** FORBIDDEN, marked as refused before the tool ran (Tools.ToolRefusal). */
function notPermitted(reason: string, details: Record<string, unknown>): DomainError {
  return new DomainError('FORBIDDEN', reason, {
    details: { ...details, refusal: 'not-permitted' satisfies Tools.ToolRefusal },
  });
}

/**
 * UNSUPPORTED, marked `not-configured`: the platform cannot run the tool for anyone until the named
 * settings or credentials are set. Not FORBIDDEN (nothing about the caller is wrong) and not
 * UPSTREAM_UNAVAILABLE (retrying will not help).
 */
export function notConfigured(tool: string, needs: readonly string[]): DomainError {
  return new DomainError('UNSUPPORTED', Tools.unconfiguredReason(tool, needs), {
    details: {
      tool,
      needs: [...needs],
      refusal: 'not-configured' satisfies Tools.ToolRefusal,
    },
  });
}
