import { Injectable } from '@nestjs/common';
import {
  type Actor,
  type Approvals,
  DomainError,
  isAdmin,
  tenantOf,
  type Tools,
} from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { type RegisteredTool, ToolRegistry } from '../registry/tool-registry.service.js';
import { ToolsChangedPublisher } from '../registry/tools-changed.publisher.js';
import { type ApprovalOverrides, ApprovalOverridesCache } from './approval-overrides.cache.js';
import {
  type ApprovalPolicyOverride,
  ApprovalPolicyRepository,
} from './approval-policy.repository.js';

export type { ApprovalOverrides } from './approval-overrides.cache.js';

/**
 * Tools' effective approval policies, per tenant: an admin's override for that tenant (stored in
 * PostgreSQL) or else what the definition says (the registry: the tool, the tools file's `approvals`
 * section, its MCP server). Calls and manifests read a tenant's overrides from this replica's copy
 * (ApprovalOverridesCache), which a change drops on every replica before the next call, so a policy
 * an admin adds is enforced by every replica on the very next call. Admins' own reads and writes go
 * to the database. An admin lists and sets the policies of the tenant they act in; so does the
 * platform operator (the requests name no tenant).
 */
@Injectable()
export class ApprovalPoliciesService {
  constructor(
    private readonly repository: ApprovalPolicyRepository,
    private readonly registry: ToolRegistry,
    private readonly audit: AuditTrail,
    private readonly changes: ToolsChangedPublisher,
    private readonly cache: ApprovalOverridesCache,
  ) {}

  /** The policy a call of `registered` in `tenantId` runs under now, if it needs approval. */
  async effectiveOf(
    registered: RegisteredTool,
    tenantId: string,
  ): Promise<Approvals.ApprovalPolicy | undefined> {
    const { byTool } = await this.cache.get(tenantId);
    return byTool.get(registered.definition.name)?.policy ?? registered.definition.approval;
  }

  /** The tenant's overrides in force, as calls and manifests see them. */
  overrides(tenantId: string): Promise<ApprovalOverrides> {
    return this.cache.get(tenantId);
  }

  /** Every tool with a policy, registered ones and overrides of tools not registered now alike. */
  async list(actor: Actor): Promise<Tools.ApprovalPolicyEntry[]> {
    this.assertAdmin(actor, 'list', undefined);
    const stored = await this.repository.all(tenantOf(actor));
    const byTool = new Map(stored.map((o) => [o.tool, o]));
    const names = new Set([
      ...this.registry.list().map((t) => t.definition.name),
      ...byTool.keys(),
    ]);
    return [...names]
      .sort()
      .map((tool) => this.entryOf(tool, byTool.get(tool)))
      .filter((e): e is Tools.ApprovalPolicyEntry => e.policy !== null);
  }

  /**
   * Sets an override, or removes it (`policy` null). A tool the registry does not know is NOT_FOUND,
   * except to remove an override left from a tool that is gone (an MCP server that was removed).
   */
  async set(
    actor: Actor,
    tool: string,
    policy: Approvals.ApprovalPolicy | null,
  ): Promise<Tools.ApprovalPolicyState> {
    this.assertAdmin(actor, policy ? 'set' : 'remove', tool);
    const tenantId = tenantOf(actor);
    const before = await this.repository.find(tenantId, tool);
    if (!this.registry.get(tool) && (policy || !before))
      throw new DomainError('NOT_FOUND', `unknown tool "${tool}"`, { details: { tool } });
    const after = policy
      ? await this.repository.set(tenantId, tool, policy, actor.userId)
      : undefined;
    if (!policy) await this.repository.remove(tenantId, tool);
    this.cache.changed({ tenantId, tool, at: new Date().toISOString() });
    const state = this.entryOf(tool, after);
    this.changes.approvalPoliciesChanged();
    void this.audit.record({
      category: 'admin',
      action: policy ? 'tools.approval-policy.set' : 'tools.approval-policy.remove',
      outcome: 'success',
      resource: tool,
      details: {
        tool,
        policy: state.policy,
        source: state.source,
        previous: before ? { policy: before.policy, setBy: before.setBy } : null,
      },
    });
    return state;
  }

  private entryOf(
    tool: string,
    override: ApprovalPolicyOverride | undefined,
  ): Tools.ApprovalPolicyState {
    if (override) return { ...override, source: 'override' };
    const definition = this.registry.get(tool)?.definition.approval;
    return definition
      ? { tool, policy: definition, source: 'definition' }
      : { tool, policy: null, source: 'none' };
  }

  private assertAdmin(actor: Actor, verb: 'list' | 'set' | 'remove', tool: string | undefined) {
    if (isAdmin(actor)) return;
    void this.audit.record({
      category: 'admin',
      action: `tools.approval-policy.${verb}`,
      outcome: 'denied',
      resource: tool ?? 'approval-policies',
      details: { ...(tool ? { tool } : {}), reason: 'admin only' },
    });
    throw new DomainError('FORBIDDEN', `only admins may ${verb} approval policies`);
  }
}
