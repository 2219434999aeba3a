import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Approvals, Tasks, Tools } from '@switchboard/contracts';
import { z } from 'zod';
import { callText } from '../approvals/approval-call.text.js';
import { toCallToolResult } from './mcp.translator.js';

/**
 * What the MCP endpoint says about a call that waits for a person's decision (docs/mcp.md): the
 * elicitation form, the result telling how to approve, and the task's outcome as the call's result.
 */

/** Our `_meta` key on a result of a call that ran (or waits) as a task. */
export const META_APPROVAL = 'dev.switchboard/approval';

export type ApprovalRequested = Tasks.TaskEventPayload<'orchestrator.approval.requested'>;

/** A call that waits: its task, its approval and the tool it calls. */
export interface WaitingCall {
  taskId: string;
  approval: ApprovalRequested;
  tool: Tools.ManifestTool;
  policy: Approvals.ApprovalPolicy;
}

/** The form an MCP client shows: approve or reject, and an optional reason. */
export const DECISION_FORM = {
  type: 'object' as const,
  properties: {
    decision: {
      type: 'string' as const,
      title: 'Decision',
      enum: ['approve', 'reject'],
      description: 'approve: the call runs once, with exactly these arguments; reject: it does not',
    },
    reason: {
      type: 'string' as const,
      title: 'Reason',
      description: 'Optional; a rejection tells it to the caller',
      maxLength: 1_000,
    },
  },
  required: ['decision'],
};

/** The form's answer as the gateway takes it (the client may not have checked it). */
export const DecisionForm = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().optional(),
});
export type DecisionForm = z.infer<typeof DecisionForm>;

/** The elicitation's message: which call, with which (redacted) arguments, until when. */
export function elicitationMessage(w: WaitingCall): string {
  return [
    `Approve this call? ${callText(w.approval.target, w.approval.input)}`,
    `It runs once, with exactly these arguments, when approved (approval ${w.approval.approvalId}, task ${w.taskId}).`,
    `The request expires at ${w.approval.expiresAt}.`,
  ].join('\n');
}

/** Who may decide under a policy, as a person reads it. */
export function approversText(policy: Approvals.ApprovalPolicy): string {
  const who: string[] = [];
  if (policy.approvers.requester) who.push('you (the caller)');
  if (policy.approvers.roles.length)
    who.push(`holders of the role ${policy.approvers.roles.join(' or ')}`);
  if (policy.approvers.users.length) who.push(`the users ${policy.approvers.users.join(', ')}`);
  who.push('admins');
  const others = policy.allowSelf ? '' : ' (never you: the policy wants someone else to decide)';
  return `${who.join('; ')}${others}`;
}

/**
 * The answer when the call waits and this client cannot decide it now: where it waits, who decides,
 * how. A tool with an output schema must return conforming structured content in a result that is not
 * an error; the call has no result yet, so for such a tool the answer is an error result and the ids
 * are only in the text and `_meta`.
 */
export function waitingResult(w: WaitingCall, note?: string): CallToolResult {
  const { taskId } = w;
  const { approvalId, expiresAt } = w.approval;
  const text = [
    `${w.approval.target} needs a person's approval before it runs, so this call did not run yet.`,
    ...(note ? [note] : []),
    `It waits as task ${taskId} for approval ${approvalId} until ${expiresAt}.`,
    `Who may decide: ${approversText(w.policy)}.`,
    `How: POST /tasks/${taskId}/approvals/${approvalId} with {"decision":"approve"} (or {"decision":"reject","reason":"…"}), the console's Approvals inbox, or an AG-UI interrupt or A2A input request of the task.`,
    `Once approved, the call runs once; its result is at GET /tasks/${taskId}. Do not call the tool again for the same thing: that would ask for a second approval.`,
  ].join('\n');
  const waiting = { taskId, approvalId, status: 'waiting_approval' as const, expiresAt };
  return {
    content: [{ type: 'text', text }],
    ...(w.tool.outputSchema ? { isError: true } : { structuredContent: waiting }),
    _meta: { [META_APPROVAL]: waiting },
  };
}

/** The task is still running when the wait for it ends: where its result will be. */
export function stillRunningResult(
  tool: string,
  taskId: string,
  approvalId?: string,
): CallToolResult {
  return {
    content: [
      {
        type: 'text',
        text: `${tool} has not finished yet; it goes on as task ${taskId}: its result will be at GET /tasks/${taskId}.`,
      },
    ],
    isError: true,
    _meta: {
      [META_APPROVAL]: { taskId, ...(approvalId ? { approvalId } : {}), status: 'running' },
    },
  };
}

/** The client went away before the call's task was submitted: nothing runs (nobody reads this). */
export function abandonedResult(tool: string): CallToolResult {
  return {
    content: [
      { type: 'text', text: `CANCELLED: the call of ${tool} was abandoned; it did not run.` },
    ],
    isError: true,
  };
}

/** A call a person rejected: it did not run. */
export function rejectedResult(w: WaitingCall, reason: string): CallToolResult {
  return {
    content: [
      {
        type: 'text',
        text: `FORBIDDEN: the call of ${w.approval.target} was rejected (${reason}); it did not run.`,
      },
    ],
    isError: true,
    _meta: {
      [META_APPROVAL]: { taskId: w.taskId, approvalId: w.approval.approvalId, status: 'rejected' },
    },
  };
}

/**
 * The task's terminal event as the call's result: its output as a direct call's result would be
 * (the step's output is the task's), its failure as the tool's error. A whole task's (`answer`:
 * `switchboard.run_task`) is its answer, as text.
 */
export function outcomeResult(
  tool: string,
  event: Tasks.TaskEvent,
  approvalId: string | undefined,
  answer = false,
): CallToolResult {
  const meta = (status: string) => ({
    [META_APPROVAL]: { taskId: event.taskId, ...(approvalId ? { approvalId } : {}), status },
  });
  switch (event.name) {
    case 'orchestrator.task.completed':
      if (answer)
        return { content: [{ type: 'text', text: event.data.result }], _meta: meta('completed') };
      return {
        ...toCallToolResult({
          tool,
          output: event.data.output ?? event.data.result,
          durationMs: 0,
          replayed: false,
        }),
        _meta: meta('completed'),
      };
    case 'orchestrator.task.failed':
      return {
        content: [{ type: 'text', text: `${event.data.error.code}: ${event.data.error.message}` }],
        isError: true,
        _meta: meta('failed'),
      };
    case 'orchestrator.task.cancelled':
      return {
        content: [
          {
            type: 'text',
            text: `CANCELLED: ${answer ? 'the task' : 'the call'} was cancelled: ${event.data.reason}`,
          },
        ],
        isError: true,
        _meta: meta('cancelled'),
      };
    default:
      return stillRunningResult(tool, event.taskId, approvalId);
  }
}

/** The task text of a direct call (what the task list and its events show). */
export function directCallTask(tool: string, needsApproval = true): string {
  return needsApproval
    ? `call ${tool} (a call through the MCP endpoint that needs approval)`
    : `call ${tool} (a call through the MCP endpoint on a thread)`;
}
