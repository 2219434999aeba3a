import { z } from 'zod';
import { NoArguments } from '../request.schemas.js';
import { ApprovalPolicy } from '../approval/approval.schemas.js';
import { commandGroup } from '../command-group.js';
import { ToolName } from './tool.schemas.js';

/**
 * Where a tool's approval policy comes from: its `definition` (the tool's own, the tools file's
 * `approvals` section, an MCP server's setting) or an admin's `override` (ApprovalPolicySet), which
 * replaces it.
 */
export const ApprovalPolicySource = z.enum(['definition', 'override']);
export type ApprovalPolicySource = z.infer<typeof ApprovalPolicySource>;

/** A tool's effective approval policy: each of its calls waits for a person's decision. */
export const ApprovalPolicyEntry = z.object({
  tool: ToolName,
  policy: ApprovalPolicy,
  source: ApprovalPolicySource,
  /** The admin who set the override (source `override`). */
  setBy: z.string().optional(),
  setAt: z.string().datetime().optional(),
});
export type ApprovalPolicyEntry = z.infer<typeof ApprovalPolicyEntry>;

/** A tool's approval policy after a change: `policy: null` (source `none`) when its calls need none. */
export const ApprovalPolicyState = ApprovalPolicyEntry.extend({
  policy: ApprovalPolicy.nullable(),
  source: z.enum(['definition', 'override', 'none']),
});
export type ApprovalPolicyState = z.infer<typeof ApprovalPolicyState>;

/**
 * The approval policy commands, sb.cmd.tools.approval-policies.<action>: the gateway's HTTP API sends
 * them.
 */
const policies = commandGroup('sb.cmd.tools.approval-policies', { callers: ['gateway'] });

export const ApprovalPolicyList = policies.query('list', {
  request: NoArguments,
  response: z.object({ policies: z.array(ApprovalPolicyEntry) }),
  description:
    'Every registered tool whose calls need approval, with its effective policy and where it comes from (definition or override), by tool name. Admins only (FORBIDDEN otherwise).',
});

export const ApprovalPolicySet = policies.command('set', {
  request: z
    .object({
      tool: ToolName,
      /** `null` removes the override: the definition's policy (or none) applies again. */
      policy: ApprovalPolicy.nullable(),
    })
    .strict(),
  response: ApprovalPolicyState,
  idempotency: 'idempotent',
  description:
    "Sets (or with `policy: null` removes) an admin's override of a tool's approval policy, stored so every replica enforces it on the next call; cached manifests are invalidated and the change is audited. Admins only (FORBIDDEN, audited); NOT_FOUND for a tool the registry does not know. Answers the tool's effective policy.",
});
