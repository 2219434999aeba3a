import { z } from 'zod';
import { type Actor, isAdmin, Role, TenantId, UserId } from '../identity.schemas.js';
import { safeText } from '../text.schemas.js';
import { ToolName } from '../tools/tool-name.schemas.js';

/** The longest an approval may stay open: 30 days. */
export const APPROVAL_MAX_WAIT_MS = 30 * 24 * 3_600_000;
/** How long an approval stays open when its policy does not say. */
export const APPROVAL_DEFAULT_WAIT_MS = 24 * 3_600_000;

/** Who may decide an approval: the user whose task asked for the call, holders of a role, named users. */
export const ApprovalApprovers = z
  .object({
    requester: z.boolean().default(true),
    roles: z.array(Role).max(20).default([]),
    users: z.array(UserId).max(100).default([]),
  })
  .strict();
export type ApprovalApprovers = z.infer<typeof ApprovalApprovers>;

/**
 * A tool's (or an agent's) approval policy: a person decides before each call runs. `allowSelf: false`
 * means the user whose task made the call can never decide it, whatever roles they hold (four eyes).
 * What expiry means: `reject` (the model hears the call was not approved) or `fail` (the task fails).
 */
export const ApprovalPolicy = z
  .object({
    approvers: ApprovalApprovers.default({ requester: true, roles: [], users: [] }),
    allowSelf: z.boolean().default(true),
    expiresInMs: z
      .number()
      .int()
      .min(1_000, 'must be at least 1000 ms')
      .max(APPROVAL_MAX_WAIT_MS, `must be at most ${APPROVAL_MAX_WAIT_MS} ms (30 days)`)
      .default(APPROVAL_DEFAULT_WAIT_MS),
    onExpiry: z.enum(['reject', 'fail']).default('reject'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.approvers.requester && !p.allowSelf)
      ctx.addIssue({
        code: 'custom',
        path: ['allowSelf'],
        message: 'must be true when approvers.requester is true (the requester is the approver)',
      });
    if (!p.approvers.requester && p.approvers.roles.length === 0 && p.approvers.users.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['approvers'],
        message: 'must name someone: requester, roles or users',
      });
  });
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;
export type ApprovalPolicyInput = z.input<typeof ApprovalPolicy>;

/** The policy of a call that a request asked to approve although its tool has none. */
export const REQUESTED_APPROVAL_POLICY: ApprovalPolicy = ApprovalPolicy.parse({});

/** `approval` beside `tool_constraints` in a task request: more tools (or agents) to approve, never fewer. */
export const ApprovalRequest = z
  .object({
    tools: z.array(ToolName).min(1).max(100),
  })
  .strict();
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalStatus = z.enum(['pending', 'approved', 'rejected', 'expired', 'cancelled']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const ApprovalId = z.string().uuid();

/** One approval as the API shows it. `input` is redacted as events are: never a credential. */
export const ApprovalView = z.object({
  approvalId: ApprovalId,
  taskId: z.string().uuid(),
  /** The tenant of the task that made the call. */
  tenantId: TenantId.optional(),
  stepId: z.string(),
  kind: z.enum(['tool', 'agent']),
  /** The tool or agent the call goes to. */
  target: z.string(),
  input: z.record(z.string(), z.unknown()),
  /** sha256 (hex) of the canonical JSON of `{tool, input}`: what mcp-tools checks before it runs the call. */
  argsHash: z.string(),
  /** Why the planner made the call (the action's description). */
  reason: z.string(),
  policy: ApprovalPolicy,
  status: ApprovalStatus,
  /** The user whose task made the call. */
  requestedBy: z.string(),
  requestedAt: z.string().datetime(),
  expiresAt: z.string().datetime(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().datetime().optional(),
  /** The reason of a rejection, or the approver's comment. */
  comment: z.string().optional(),
  /** The arguments the approver edited (the call runs with these), redacted as `input` is. */
  editedInput: z.record(z.string(), z.unknown()).optional(),
  /** The JSON Schema an edit must satisfy (the tool's input schema). */
  inputSchema: z.record(z.string(), z.unknown()).optional(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

export const ApprovalDecision = z.enum(['approve', 'reject']);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

const decisionFields = {
  decision: ApprovalDecision,
  /** Edited arguments (approve only): validated against the tool's input schema. */
  input: z.record(z.string(), z.unknown()).optional(),
  /** Why (the model hears a rejection's reason). */
  reason: safeText(z.string().min(1).max(1_000)).optional(),
};

/** A decision's reason as every surface takes it: 1–1000 characters, no control characters. */
export const ApprovalReason = decisionFields.reason.unwrap();

function onlyApprovalEdits(
  b: { decision: ApprovalDecision; input?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (b.decision === 'reject' && b.input !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['input'],
      message: 'only an approval can edit the arguments',
    });
}

/** The body of `POST /tasks/{id}/approvals/{approvalId}`. */
export const ApprovalDecisionBody = z
  .object(decisionFields)
  .strict()
  .superRefine(onlyApprovalEdits);
export type ApprovalDecisionBody = z.infer<typeof ApprovalDecisionBody>;

/** Why `actor` may not decide an approval of `policy` on `requestedBy`'s task, or undefined if they may. */
export function approvalRefusal(
  policy: ApprovalPolicy,
  requestedBy: string,
  actor: Pick<Actor, 'userId' | 'role'>,
): string | undefined {
  const self = actor.userId === requestedBy;
  if (self && !policy.allowSelf)
    return 'the policy does not let the requester approve their own call';
  if (self && policy.approvers.requester) return undefined;
  if (policy.approvers.users.includes(actor.userId)) return undefined;
  if (policy.approvers.roles.includes(actor.role) || isAdmin(actor)) return undefined;
  const { roles, users, requester } = policy.approvers;
  if (roles.length > 0) return `deciding needs the role ${roles.join(' or ')}`;
  if (users.length > 0) return 'only the named approvers may decide';
  return requester
    ? 'only the user whose task made the call may decide it'
    : 'only the named approvers may decide';
}

/** What the orchestrator is asked to decide: the body plus where it goes. */
export const ApprovalDecisionRequest = z
  .object({ ...decisionFields, taskId: z.string().uuid(), approvalId: ApprovalId })
  .strict()
  .superRefine(onlyApprovalEdits);
export type ApprovalDecisionRequest = z.infer<typeof ApprovalDecisionRequest>;

/**
 * A decision as a surface reads it before it knows the task (an A2A message, an AG-UI resume):
 * `approvalId` absent means the only approval that waits.
 */
export const ApprovalAnswer = z
  .object({ ...decisionFields, approvalId: ApprovalId.optional() })
  .strict()
  .superRefine(onlyApprovalEdits);
export type ApprovalAnswer = z.infer<typeof ApprovalAnswer>;
