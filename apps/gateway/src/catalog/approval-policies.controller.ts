import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import {
  type Actor,
  Approvals,
  DomainError,
  parseOrThrow,
  type ResponseOf,
  Tools,
} from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import { z } from 'zod';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { requireAdmin } from '../auth/audited-refusal.js';

/** The body of `PUT /approval-policies/{tool}`: the override, or `null` to remove it. */
export const ApprovalPolicyBody = z
  .object({
    policy: Approvals.ApprovalPolicy.nullable().describe(
      "The tool's approval policy (docs/approvals.md), replacing its definition's; `null` removes the override.",
    ),
  })
  .strict();

/**
 * Admins' view and overrides of tools' approval policies (which calls wait for a person's decision).
 * mcp-tools enforces the admin rule itself; checking here too answers 403 without a hop, and before
 * the body is judged.
 */
@Controller('approval-policies')
@UseGuards(AuthGuard)
export class ApprovalPoliciesController {
  constructor(
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  list(@CurrentActor() actor: Actor): Promise<ResponseOf<typeof Tools.ApprovalPolicyList>> {
    requireAdmin(this.audit, actor, 'approval-policies', 'list approval policies');
    return this.bus.request(Tools.ApprovalPolicyList, {}, { actor });
  }

  @Put(':tool')
  set(
    @CurrentActor() actor: Actor,
    @Param('tool') rawTool: string,
    @Body() rawBody: unknown,
  ): Promise<ResponseOf<typeof Tools.ApprovalPolicySet>> {
    requireAdmin(this.audit, actor, 'approval-policies', 'set approval policies');
    const tool = parseOrThrow(Tools.ToolName, rawTool, 'path parameter tool');
    if (typeof rawBody !== 'object' || rawBody === null || Array.isArray(rawBody))
      throw new DomainError('VALIDATION', 'request body must be a JSON object: {"policy": …}');
    const { policy } = parseOrThrow(ApprovalPolicyBody, rawBody, 'request body');
    return this.bus.request(Tools.ApprovalPolicySet, { tool, policy }, { actor });
  }
}
