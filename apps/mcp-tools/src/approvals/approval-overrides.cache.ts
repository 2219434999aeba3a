import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Tools } from '@switchboard/contracts';
import { NatsBus, TenantCopies } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { createHash } from 'node:crypto';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import {
  type ApprovalPolicyOverride,
  ApprovalPolicyRepository,
} from './approval-policy.repository.js';

/** A tenant's overrides in force, by tool, and a fingerprint of them (part of a cached manifest's key). */
export interface ApprovalOverrides {
  byTool: ReadonlyMap<string, ApprovalPolicyOverride>;
  version: string;
}

/**
 * Each tenant's approval policy overrides, kept in this replica's memory (TenantCopies): a task's
 * manifest and each of its tool calls need them, and they change only when an admin sets one. A
 * change is announced as `Tools.ApprovalPoliciesChanged`; a replica that missed it keeps the old copy
 * for APPROVAL_POLICY_CACHE_TTL_MS at most.
 */
@Injectable()
export class ApprovalOverridesCache extends TenantCopies<
  ApprovalOverrides,
  typeof Tools.ApprovalPoliciesChanged
> {
  constructor(
    private readonly repository: ApprovalPolicyRepository,
    bus: NatsBus,
    @Inject(APP_CONFIG) config: Pick<McpToolsEnv, 'APPROVAL_POLICY_CACHE_TTL_MS'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(bus, logger, {
      event: Tools.ApprovalPoliciesChanged,
      ttlMs: config.APPROVAL_POLICY_CACHE_TTL_MS,
      what: 'approval policy',
      ttlSetting: 'APPROVAL_POLICY_CACHE_TTL_MS',
    });
  }

  protected override async read(tenantId: string): Promise<ApprovalOverrides> {
    const all = await this.repository.all(tenantId);
    const version = createHash('sha256')
      .update(JSON.stringify(all.map((o) => [o.tool, o.policy])))
      .digest('hex')
      .slice(0, 16);
    return { byTool: new Map(all.map((o) => [o.tool, o])), version };
  }
}
