import type { Message } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { Agents, Approvals, Tasks, Webhooks } from '@switchboard/contracts';
import type { z } from 'zod';
import { callText } from '../approvals/approval-call.text.js';
import { agentMessage, taskTextOf, textPart } from './a2a.translator.js';

/**
 * Refuses a message the platform cannot take (checked before the SDK creates or loads a task for it):
 * a new task needs its text; a message on an existing task (its `taskId`) must answer an approval.
 */
export function assertRunnable(message: Message | undefined): void {
  if (!message) throw new RequestMalformedError('params.message is required');
  if (message.taskId) {
    approvalReplyOf(message);
    return;
  }
  taskTextOf(message);
  approvalRequestOf(message);
  webhookRequestOf(message);
  threadPolicyOf(message);
  agentChoiceOf(message);
}

/**
 * The agent version a new task runs (`metadata.agent` of the message, as `agent` of POST
 * /orchestrate: `{name, version?, label?}`, docs/agents.md), if it names one.
 */
export function agentChoiceOf(message: Message): Agents.TaskAgentChoice | undefined {
  return metadataField(message, 'agent', Agents.TaskAgentChoice);
}

/**
 * What a new message does when its context (the platform thread) is busy with an earlier task
 * (`metadata.thread_policy`: reject, enqueue, interrupt or rollback; docs/api.md, Threads), if said.
 */
export function threadPolicyOf(message: Message): Tasks.ThreadPolicy | undefined {
  return metadataField(
    message,
    'thread_policy',
    Tasks.ThreadPolicy,
    `must be one of ${Tasks.THREAD_POLICIES.join(', ')}`,
  );
}

/**
 * The webhook a new task names (`metadata.webhook` of the message, as `webhook` of POST /orchestrate:
 * `{url, events?}`, docs/webhooks.md), if any. The URL policy is the orchestrator's, checked when
 * the task is submitted.
 */
export function webhookRequestOf(message: Message): Webhooks.TaskWebhook | undefined {
  return metadataField(message, 'webhook', Webhooks.TaskWebhook);
}

/**
 * The approvals a new task asks for besides its tools' own policies (`metadata.approval` of the
 * message, as `approval` of POST /orchestrate: `{tools: [...]}`), if any.
 */
export function approvalRequestOf(message: Message): Approvals.ApprovalRequest | undefined {
  return metadataField(message, 'approval', Approvals.ApprovalRequest);
}

/** An answer to a task that waits for approvals (docs/approvals.md), read from a message. */
export type ApprovalReply = Approvals.ApprovalAnswer;

const HOW_TO_ANSWER =
  'answer on the same task (its taskId and contextId) with the text \'approve\' or \'reject <reason>\', or a data part {"approvalId", "decision": "approve"|"reject", "input"?, "reason"?}';

/**
 * The answer a message on a waiting task carries: its first data part (`{approvalId?, decision, input?,
 * reason?}`), else its text — `approve`, or `reject` followed by the reason. Anything else is refused
 * with -32602, naming the part.
 */
export function approvalReplyOf(message: Message): ApprovalReply {
  const dataAt = message.parts.findIndex((p) => p.content?.$case === 'data');
  if (dataAt >= 0) {
    const content = message.parts[dataAt]?.content;
    const parsed = Approvals.ApprovalAnswer.safeParse(
      content?.$case === 'data' ? content.value : null,
    );
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = [`params.message.parts[${dataAt}].data`, ...(issue?.path ?? [])].join('.');
      throw new RequestMalformedError(`${path}: ${issue?.message ?? 'is invalid'}`);
    }
    const { approvalId, decision, input, reason } = parsed.data;
    return {
      decision,
      ...(approvalId ? { approvalId } : {}),
      ...(input ? { input } : {}),
      ...(reason ? { reason } : {}),
    };
  }
  const text = message.parts
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .join('\n')
    .trim();
  const match = /^(approve|approved|reject|rejected)\b[\s:,.-]*([\s\S]*)$/i.exec(text);
  if (!match)
    throw new RequestMalformedError(
      `params.message.parts: a message on an existing task answers its approval: ${HOW_TO_ANSWER}`,
    );
  const decision = (match[1] ?? '').toLowerCase().startsWith('approve') ? 'approve' : 'reject';
  const why = match[2]?.trim();
  if (why && !Approvals.ApprovalReason.safeParse(why).success)
    throw new RequestMalformedError(
      `params.message.parts: the reason must be at most 1000 characters without control characters`,
    );
  return { decision, ...(why ? { reason: why } : {}) };
}

/** A call that waits for a decision, as an A2A client is told about it. */
export type WaitingCall = Pick<
  Approvals.ApprovalView,
  'approvalId' | 'kind' | 'target' | 'input' | 'reason' | 'expiresAt'
>;

/**
 * The INPUT_REQUIRED status message of a task that waits for approvals: a text part saying which
 * calls, with what, why, and how to answer; and a data part with the same (`approvals`) for programs.
 */
export function approvalMessage(
  taskId: string,
  contextId: string,
  calls: readonly WaitingCall[],
  messageId: string,
  note?: string,
): Message {
  const lines = calls.map((c, i) => {
    return `${i + 1}. ${c.kind} ${callText(c.target, c.input)} — ${c.reason} (approval ${c.approvalId}, expires ${c.expiresAt})`;
  });
  const text = [
    ...(note ? [note] : []),
    `Waiting for a decision on ${calls.length === 1 ? 'this call' : `these ${calls.length} calls`}:`,
    ...lines,
    `To decide, ${HOW_TO_ANSWER}${calls.length > 1 ? '; name the approvalId when several wait' : ''}.`,
  ].join('\n');
  return {
    ...agentMessage(taskId, contextId, text, messageId),
    parts: [
      textPart(text),
      {
        content: {
          $case: 'data',
          value: {
            approvals: calls.map((c) => ({
              approvalId: c.approvalId,
              kind: c.kind,
              target: c.target,
              input: c.input,
              reason: c.reason,
              expiresAt: c.expiresAt,
            })),
          },
        },
        mediaType: 'application/json',
        filename: '',
        metadata: undefined,
      },
    ],
  };
}

/**
 * `metadata[key]` of a message read with `schema`, if the message has it; otherwise malformed, naming
 * the field (and where in it, unless `invalid` says what the field must be).
 */
function metadataField<S extends z.ZodType>(
  message: Message,
  key: string,
  schema: S,
  invalid?: string,
): z.infer<S> | undefined {
  const raw = (message.metadata as Record<string, unknown> | undefined)?.[key];
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const field = `params.message.metadata.${key}`;
  if (invalid) throw new RequestMalformedError(`${field}: ${invalid}`);
  const issue = parsed.error.issues[0];
  const path = [field, ...(issue?.path ?? [])].join('.');
  throw new RequestMalformedError(`${path}: ${issue?.message ?? 'is invalid'}`);
}
