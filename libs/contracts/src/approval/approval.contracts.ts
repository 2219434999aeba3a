import { z } from 'zod';
import { pageLimit } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import { defineEvent, type DomainContracts } from '../define.js';
import {
  ApprovalDecisionRequest,
  ApprovalId,
  ApprovalStatus,
  ApprovalView,
} from './approval.schemas.js';

/**
 * The approval commands, sb.cmd.orchestrator.approval.<action>: the gateway's HTTP API and the XMPP
 * bridge send them (the bridge finds the approval a chat command's short id names among those its
 * sender may decide, and carries the answer of an approver's XMPP client: docs/xmpp-bridge.md).
 */
const approval = commandGroup('sb.cmd.orchestrator.approval', {
  callers: ['gateway', 'xmpp-bridge'],
});

export const ApprovalList = approval.query('list', {
  request: z
    .object({
      /** Default `pending`. */
      status: ApprovalStatus.default('pending'),
      taskId: z.string().uuid().optional(),
      limit: pageLimit(200, 50),
    })
    .strict(),
  response: z.object({ approvals: z.array(ApprovalView) }),
  description:
    "Approvals the acting user may decide (their own tasks' where the policy lets them, their roles', the ones naming them; admins: everyone's in their tenant; the platform operator: every tenant's), newest first. With `taskId`: that task's approvals, for its owner too.",
});

export const ApprovalDecide = approval.command('decide', {
  request: ApprovalDecisionRequest,
  response: ApprovalView,
  timeoutMs: 10_000,
  description:
    'Approves (optionally with edited arguments, validated against the tool input schema) or rejects a pending approval. NOT_FOUND for an approval the actor may not see, FORBIDDEN (audited) when the policy does not let them decide, CONFLICT when it is decided already. When the last pending approval of the task is decided, the task is submitted again and resumes on any replica.',
});

export const ApprovalVerify = approval.query('verify', {
  callers: ['mcp-tools', 'a2a'],
  request: z
    .object({
      approvalId: ApprovalId,
      taskId: z.string().uuid(),
      target: z.string().min(1).max(128),
      argsHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
    })
    .strict(),
  response: z.object({ approvalId: ApprovalId, decidedBy: z.string() }),
  description:
    'Asked by mcp-tools (and a2a) before a call that needs approval: answers only when the approval exists for this task and target, is approved, and approved exactly these arguments (the hash of target + arguments); FORBIDDEN otherwise.',
});

/**
 * What a person needs to decide a new approval, for surfaces that go and ask them (the XMPP bridge):
 * the call as the API shows it (its `input` redacted: never a credential), without its schema.
 */
export const ApprovalRequestedPayload = ApprovalView.pick({
  approvalId: true,
  taskId: true,
  stepId: true,
  kind: true,
  target: true,
  input: true,
  argsHash: true,
  reason: true,
  policy: true,
  requestedBy: true,
  requestedAt: true,
  expiresAt: true,
}).strict();
export type ApprovalRequestedPayload = z.infer<typeof ApprovalRequestedPayload>;

/** The notice of a new approval, from its stored view (its other fields left out). */
export function approvalRequestedOf(view: ApprovalView): ApprovalRequestedPayload {
  const keys = Object.keys(ApprovalRequestedPayload.shape) as (keyof ApprovalRequestedPayload)[];
  return Object.fromEntries(
    keys.filter((k) => view[k] !== undefined).map((k) => [k, view[k]]),
  ) as ApprovalRequestedPayload;
}

export const ApprovalRequested = defineEvent({
  template: 'sb.evt.orchestrator.approval.requested',
  tokens: [],
  payload: ApprovalRequestedPayload,
  delivery: 'at-most-once',
  producers: ['orchestrator'],
  consumers: ['xmpp-bridge'],
  description:
    "A call now waits for a person's decision (one per approval, once it is stored as pending): the XMPP bridge sends it to the approvers' JIDs as a chat message with an XEP-0004 form. Fire and forget: a bridge that is down misses it; the approval stays in the inbox and the API (and the task event orchestrator.approval.requested).",
});

export const APPROVAL_CONTRACTS: DomainContracts = {
  commands: [ApprovalList, ApprovalDecide, ApprovalVerify],
  events: [ApprovalRequested],
};
