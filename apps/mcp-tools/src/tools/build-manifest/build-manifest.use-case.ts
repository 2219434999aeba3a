import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, type Tasks, tenantOf, Tools } from '@switchboard/contracts';
import {
  type ApprovalOverrides,
  ApprovalPoliciesService,
} from '../../approvals/approval-policies.service.js';
import { ManifestCache } from '../../cache/manifest-cache.js';
import { ToolRegistry } from '../../registry/tool-registry.service.js';
import { tenantUserOf } from '../../tenancy/tenant-scope.js';
import { TenantTools } from '../../tenancy/tenant-tools.js';
import type { McpToolsEnv } from '../../config/mcp-tools.env.js';
import { ToolAccessChecker } from '../tool-access.checker.js';
import { applyDeferral } from './tool-deferral.js';

type DeferralSettings = Pick<McpToolsEnv, 'TOOL_DEFER_THRESHOLD'>;

/**
 * The tools `actor` is offered under `constraints` (default `auto`), served from a per-user cache.
 * Nothing is remembered per task: the orchestrator refuses a call of a tool it did not offer before it
 * is sent, and each call is checked here against its caller and its task's constraints. Tools
 * the actor may use but that are not configured here are never offered; they are listed apart, with
 * what they need, so callers can say why a tool is missing. Each tool whose calls need approval
 * carries its effective policy (its tenant admin's override, else its definition's); the tenant's
 * overrides in force are part of the cache key, so a change of one is served on the next request.
 * Grants, overrides and cached entries are all the actor's tenant's, and so are the tools' needs: a
 * tool is configured for a tenant when the tenant (or the platform, which it may share) has what it
 * requires (TenantTools), and the tenant's settings are part of the cache key too. Tools past the
 * deferral threshold (or marked so) are offered `deferred`, with the search tool (tool-deferral.ts).
 */
@Injectable()
export class BuildManifestUseCase {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly access: ToolAccessChecker,
    private readonly approvals: ApprovalPoliciesService,
    private readonly cache: ManifestCache,
    private readonly tenantTools: TenantTools,
    @Optional()
    @Inject(APP_CONFIG)
    private readonly deferral: DeferralSettings = {
      TOOL_DEFER_THRESHOLD: Tools.DEFAULT_DEFER_THRESHOLD,
    },
  ) {}

  async execute(
    actor: Actor,
    constraints: Tasks.ToolConstraints | undefined,
  ): Promise<Tools.Manifest> {
    const effective: Tasks.ToolConstraints = constraints ?? { mode: 'auto' };
    const generatedAt = new Date().toISOString();
    const tenant = tenantOf(actor);
    const overrides = await this.approvals.overrides(tenant);
    const slot = this.cache.lookup(
      tenantUserOf(actor),
      actor.role,
      {
        constraints: effective,
        approvalOverrides: overrides.version,
        tenantSettings: this.tenantTools.fingerprint(tenant),
      },
      this.registry.version,
    );
    let entry = slot.entry;
    const cached = entry !== undefined;
    if (!entry) {
      const permitted = (await this.access.permitted(actor, effective)).map((t) => ({
        ...t,
        needs: this.tenantTools.needs(tenant, t),
      }));
      const tools = applyDeferral(
        permitted
          .filter((t) => t.needs.length === 0)
          .map(({ definition: d, sourceId }) => ({
            tool: manifestToolOf(d, overrides),
            sourceId,
            deferred: d.deferred,
          })),
        this.deferral.TOOL_DEFER_THRESHOLD,
      );
      const unconfigured = permitted
        .filter((t) => t.needs.length > 0)
        .map(({ definition: d, needs }) => ({
          name: d.name,
          title: d.title,
          provider: d.provider,
          needs: [...needs],
          reason: Tools.unconfiguredReason(d.name, needs),
        }));
      entry = { tools, ...(unconfigured.length ? { unconfigured } : {}) };
      this.cache.store(slot, entry);
    }
    return { ...entry, mode: effective.mode, generatedAt, cached };
  }
}

/** The public face of a definition, with its effective approval policy. */
function manifestToolOf(d: Tools.ToolDefinition, overrides: ApprovalOverrides): Tools.ManifestTool {
  return Tools.ManifestTool.parse({
    name: d.name,
    title: d.title,
    description: d.description,
    provider: d.provider,
    inputSchema: d.inputSchema,
    ...(d.outputSchema ? { outputSchema: d.outputSchema } : {}),
    idempotent: d.idempotent,
    ...(d.requiredRole ? { requiredRole: d.requiredRole } : {}),
    ...(d.adminOnly ? { adminOnly: true } : {}),
    ...approvalOf(d, overrides),
  });
}

/** The `approval` of a manifest tool: the admin's override, else the definition's, else none. */
function approvalOf(
  d: Tools.ToolDefinition,
  overrides: ApprovalOverrides,
): Pick<Tools.ManifestTool, 'approval'> {
  const approval = overrides.byTool.get(d.name)?.policy ?? d.approval;
  return approval ? { approval } : {};
}
