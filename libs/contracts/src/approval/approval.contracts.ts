import { z } from 'zod';
import { type CommandContract, defineCommand, type EventContract } from '../define.js';
import {
  ApprovalDecisionRequest,
  ApprovalId,
  ApprovalStatus,
  ApprovalView,
} from './approval.schemas.js';

export const ApprovalList = defineCommand({
  subject: 'sb.cmd.orchestrator.approval.list',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z
    .object({
      /** Default `pending`. */
      status: ApprovalStatus.default('pending'),
      taskId: z.string().uuid().optional(),
      limit: z.number().int().min(1).max(200).default(50),
    })
    .strict(),
  response: z.object({ approvals: z.array(ApprovalView) }),
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description:
    "Approvals the acting user may decide (their own tasks' where the policy lets them, their roles', the ones naming them; admins: all), newest first. With `taskId`: that task's approvals, for its owner too.",
});

export const ApprovalDecide = defineCommand({
  subject: 'sb.cmd.orchestrator.approval.decide',
  service: 'orchestrator',
  callers: ['gateway'],
  request: ApprovalDecisionRequest,
  response: ApprovalView,
  timeoutMs: 10_000,
  description:
    'Approves (optionally with edited arguments, validated against the tool input schema) or rejects a pending approval. NOT_FOUND for an approval the actor may not see, FORBIDDEN (audited) when the policy does not let them decide, CONFLICT when it is decided already. When the last pending approval of the task is decided, the task is submitted again and resumes on any replica.',
});

export const ApprovalVerify = defineCommand({
  subject: 'sb.cmd.orchestrator.approval.verify',
  service: 'orchestrator',
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
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description:
    'Asked by mcp-tools (and a2a) before a call that needs approval: answers only when the approval exists for this task and target, is approved, and approved exactly these arguments (the hash of target + arguments); FORBIDDEN otherwise.',
});

export const APPROVAL_CONTRACTS: {
  commands: readonly CommandContract[];
  events: readonly EventContract[];
} = { commands: [ApprovalList, ApprovalDecide, ApprovalVerify], events: [] };
