import type { Interrupt, RunAgentInput } from '@ag-ui/core';
import { Approvals, DomainError } from '@switchboard/contracts';
import { z } from 'zod';
import { callText } from '../approvals/approval-call.text.js';

/** `Interrupt.reason` of a call that waits for a person's decision (docs/approvals.md). */
export const APPROVAL_REASON = 'approval_required';

/**
 * What a resume entry's `payload` holds for an approval (also sent as the interrupt's
 * `responseSchema`): approve or not, optionally edited arguments (approve only), optionally why.
 */
export const APPROVAL_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    approve: { type: 'boolean', description: 'true runs the call, false rejects it' },
    input: {
      type: 'object',
      description: "Edited arguments (approve only), checked against the tool's input schema",
    },
    reason: {
      type: 'string',
      minLength: 1,
      maxLength: 1000,
      description: 'Why (the planner hears the reason of a rejection)',
    },
  },
  required: ['approve'],
  additionalProperties: false,
} as const;

/** The part of an approval an interrupt is made of (an ApprovalView, or an approval.requested event). */
export interface PendingCall {
  approvalId: string;
  stepId: string;
  kind: 'tool' | 'agent';
  target: string;
  input: unknown;
  reason: string;
  expiresAt: string;
}

/**
 * The tool call id of a call held for approval: the same in the run that asks (its TOOL_CALL_* events
 * and the interrupt's `toolCallId`) and in the run that resumes (its TOOL_CALL_RESULT), and unique on
 * the thread (step ids repeat across tasks).
 */
export function heldToolCallId(taskId: string, stepId: string, approvalId: string): string {
  return `call_${taskId.slice(0, 8)}_${stepId}_${approvalId.slice(0, 8)}`;
}

/** The AG-UI name of the call's tool (delegations are `a2a.<agent>`, as for dispatched steps). */
export const toolCallNameOf = (call: Pick<PendingCall, 'kind' | 'target'>): string =>
  call.kind === 'agent' ? `a2a.${call.target}` : call.target;

/** One interrupt of RUN_FINISHED's `outcome` for a pending approval. */
export function interruptOf(taskId: string, call: PendingCall): Interrupt {
  return {
    id: call.approvalId,
    reason: APPROVAL_REASON,
    message: `Approve the call of ${callText(toolCallNameOf(call), call.input)}? The planner made it to: ${call.reason}`,
    toolCallId: heldToolCallId(taskId, call.stepId, call.approvalId),
    responseSchema: APPROVAL_RESPONSE_SCHEMA as unknown as Record<string, unknown>,
    expiresAt: call.expiresAt,
    metadata: { taskId, stepId: call.stepId, target: call.target },
  };
}

/** One answered interrupt, as the orchestrator is asked to decide it. */
export type ApprovalAnswer = Omit<Approvals.ApprovalDecisionRequest, 'taskId'>;

const ApprovalPayload = z
  .object({
    approve: z.boolean(),
    input: z.record(z.string(), z.unknown()).optional(),
    reason: Approvals.ApprovalReason.optional(),
  })
  .strict();

const ResumeEntry = z.object({
  interruptId: Approvals.ApprovalId.describe('an interrupt id (an approval id)'),
  status: z.enum(['resolved', 'cancelled']),
  payload: z.unknown().optional(),
});

/** At most this many interrupts are answered in one run. */
const MAX_RESUME = 100;

/**
 * The answers of a run's `resume` entries (empty when it has none): `resolved` with `payload`
 * `{approve, input?, reason?}` approves or rejects, `cancelled` rejects (with the payload's reason, if
 * any). Checked at the edge, so a wrong entry is refused naming its field (`resume.0.payload.approve`).
 */
export function resumeAnswersOf(input: RunAgentInput): ApprovalAnswer[] {
  const entries = (input as { resume?: unknown }).resume;
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw invalid('resume', 'must be a list');
  if (entries.length > MAX_RESUME)
    throw invalid('resume', `must hold at most ${MAX_RESUME} entries`);
  const seen = new Set<string>();
  return entries.map((raw, i) => {
    const entry = ResumeEntry.safeParse(raw);
    if (!entry.success) throw issueOf(`resume.${i}`, entry.error);
    const { interruptId, status, payload } = entry.data;
    if (seen.has(interruptId))
      throw invalid(`resume.${i}.interruptId`, 'answers an interrupt already answered');
    seen.add(interruptId);
    if (status === 'cancelled') {
      const why = z.object({ reason: Approvals.ApprovalReason }).safeParse(payload);
      return {
        approvalId: interruptId,
        decision: 'reject',
        reason: why.success ? why.data.reason : 'cancelled by the user',
      };
    }
    if (payload === undefined)
      throw invalid(
        `resume.${i}.payload`,
        'is required to resolve an approval: {approve: boolean}',
      );
    const answer = ApprovalPayload.safeParse(payload);
    if (!answer.success) throw issueOf(`resume.${i}.payload`, answer.error);
    const { approve, input: edited, reason } = answer.data;
    if (!approve && edited)
      throw invalid(`resume.${i}.payload.input`, 'only an approval can edit the arguments');
    return {
      approvalId: interruptId,
      decision: approve ? 'approve' : 'reject',
      ...(edited ? { input: edited } : {}),
      ...(reason ? { reason } : {}),
    };
  });
}

function issueOf(prefix: string, error: z.ZodError): DomainError {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? [])].join('.');
  return invalid(path, issue?.message ?? 'is invalid');
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('VALIDATION', `invalid request body: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}
