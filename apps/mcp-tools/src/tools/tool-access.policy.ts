import { type Actor, isAdmin, type Tasks, type Tools } from '@switchboard/contracts';
import type { ProviderInfo } from '../registry/tool-implementation.js';

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

export interface AccessInput {
  tool: Tools.ToolDefinition;
  provider: ProviderInfo | undefined;
  actor: Actor;
  constraints: Tasks.ToolConstraints | undefined;
  /** Providers this user has authorized. */
  authorizedProviders: ReadonlySet<string>;
  /** The actor's tenant, and whether its settings (TENANTS_FILE) let it use the tool (default: yes). */
  tenant?: { id: string; allows: boolean } | undefined;
}

/**
 * Whether `actor` may use `tool` under `constraints`. The same rule decides what a manifest offers and
 * whether a call runs, so a caller can never call a tool it would not have been offered.
 * - the tenant's settings: only the tools they list, for everyone in it (its admins too);
 * - admin-only tools: admins only (admins bypass other role checks, not this one);
 * - required role: that role or admin;
 * - providers that need authorization: only once the user authorized them (constraints narrow, never widen);
 * - `custom` constraints: only allow-listed providers or tools.
 */
export function decideAccess({
  tool,
  provider,
  actor,
  constraints,
  authorizedProviders,
  tenant,
}: AccessInput): AccessDecision {
  if (tenant && !tenant.allows)
    return { allowed: false, reason: `tool ${tool.name} is not enabled for tenant ${tenant.id}` };
  const admin = isAdmin(actor);
  if (tool.adminOnly && !admin)
    return { allowed: false, reason: `tool ${tool.name} is admin-only` };
  if (tool.requiredRole && !admin && actor.role !== tool.requiredRole) {
    return { allowed: false, reason: `tool ${tool.name} requires role "${tool.requiredRole}"` };
  }
  if (provider?.requiresAuthorization && !authorizedProviders.has(tool.provider)) {
    return {
      allowed: false,
      reason: `tool ${tool.name}: provider ${tool.provider} is not authorized for this user`,
    };
  }
  if (constraints?.mode === 'custom') {
    const byProvider = constraints.providers?.includes(tool.provider) ?? false;
    const byTool = constraints.tools?.includes(tool.name) ?? false;
    if (!byProvider && !byTool) {
      return {
        allowed: false,
        reason: `tool ${tool.name} is not allowed by the task's tool constraints`,
      };
    }
  }
  return { allowed: true };
}
