import type { RunAgentInput } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import {
  Agents,
  Approvals,
  CONTROL_CHARS_MESSAGE,
  DomainError,
  hasControlChars,
  Tasks,
  Webhooks,
} from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The body of POST /ag-ui: AG-UI 1.0's RunAgentInput (validated with the protocol's own schema). */
export const AgUiRunInput = RunAgentInputSchema as unknown as z.ZodType<RunAgentInput>;

/** What a run may pass in `forwardedProps` for the platform. */
const ForwardedProps = z
  .object({
    tool_constraints: Tasks.ToolConstraints.optional(),
    max_steps: z.number().int().min(1).max(100).optional(),
    /** More tools (or agents) whose calls wait for a person's decision (docs/approvals.md). */
    approval: Approvals.ApprovalRequest.optional(),
    /** A URL called with the task's events, as `webhook` of POST /orchestrate (docs/webhooks.md). */
    webhook: Webhooks.TaskWebhook.optional(),
    /** What this message does when the thread is busy (docs/api.md, Threads). */
    thread_policy: Tasks.ThreadPolicy.optional(),
    /** The agent version it runs, as `agent` of POST /orchestrate (docs/agents.md). */
    agent: Agents.TaskAgentChoice.optional(),
  })
  .passthrough();

const THREAD_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Turns a run into a task: the text of the last user message is the task, the AG-UI thread is the
 * conversation (ids the task contract cannot hold are hashed to a stable one), and
 * `forwardedProps.tool_constraints` / `max_steps` / `approval` / `webhook` / `thread_policy` / `agent` pass through. Frontend tools (`tools[]`) are not
 * offered to the planner: the platform's tools run on the platform.
 */
export function taskRequestOf(input: RunAgentInput): Tasks.TaskRequest {
  const index = input.messages.findLastIndex((m) => m.role === 'user');
  const lastUser = input.messages[index];
  if (!lastUser) throw invalid('messages', 'must contain a user message');
  const text = textOf(lastUser.content);
  const field = `messages.${index}.content`;
  if (!text.trim()) throw invalid(field, 'the last user message has no text');
  if (text.length > Tasks.TASK_TEXT_MAX)
    throw invalid(field, `the last user message is longer than ${Tasks.TASK_TEXT_MAX} characters`);
  if (hasControlChars(text)) throw invalid(field, CONTROL_CHARS_MESSAGE);
  const props = ForwardedProps.safeParse(input.forwardedProps ?? {});
  if (!props.success) {
    const issue = props.error.issues[0];
    throw invalid(`forwardedProps.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'is invalid');
  }
  return {
    task: text,
    thread_id: taskThreadOf(input.threadId),
    ...(props.data.tool_constraints ? { tool_constraints: props.data.tool_constraints } : {}),
    ...(props.data.max_steps ? { max_steps: props.data.max_steps } : {}),
    ...(props.data.approval ? { approval: props.data.approval } : {}),
    ...(props.data.webhook ? { webhook: props.data.webhook } : {}),
    ...(props.data.thread_policy ? { thread_policy: props.data.thread_policy } : {}),
    ...(props.data.agent ? { agent: props.data.agent } : {}),
  };
}

/** The task thread of an AG-UI thread (an id the task contract cannot hold is hashed to a stable one). */
export function taskThreadOf(threadId: string): string {
  return THREAD_ID.test(threadId)
    ? threadId
    : `agui-${createHash('sha256').update(threadId).digest('hex').slice(0, 32)}`;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(
      (p): p is { type: 'text'; text: string } =>
        !!p && typeof p === 'object' && (p as { type?: unknown }).type === 'text',
    )
    .map((p) => p.text)
    .join('\n');
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('VALIDATION', `invalid request body: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}
