import { Injectable } from '@nestjs/common';
import { type Actor, Approvals, isDomainError, Tasks } from '@switchboard/contracts';
import { z } from 'zod';
import { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import { TaskSessions } from '../tasks/session/task-sessions.js';
import { TaskAccess } from '../tasks/task-access.js';
import { approversText, DECISION_FORM, DecisionForm, META_APPROVAL } from './mcp-approval.text.js';
import { DECLINED_REASON } from './mcp-approvals.js';
import { ProtocolError } from './mcp.translator.js';

/** The MCP extension a long call becomes a task of (MCP 2026-07-28), and its methods. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
/** The `_meta` key naming the task a result belongs to (as the SDK's RELATED_TASK_META_KEY). */
export const RELATED_TASK = 'io.modelcontextprotocol/related-task';
/** How often a client should poll `tasks/get` (a hint). */
export const POLL_INTERVAL_MS = 2_000;
/**
 * The task's `ttlMs`: how long after its creation it may be discarded. None the gateway can promise
 * from creation — the orchestrator deletes an ended task TASK_RETENTION_DAYS after it *ended* (then
 * `tasks/get` answers `unknown task`, as the extension allows) — so `null`.
 */
export const TASK_TTL_MS = null;
/** The key of the decision in `inputRequests` / `inputResponses`. */
export const DECISION_KEY = 'decision';

const INVALID_PARAMS = -32602;

/** The extension's `Task` (schema 2026-07-28): the Switchboard task under the same id. */
export interface McpTaskFields {
  taskId: string;
  status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs?: number;
}

/** The task as `tasks/get` shows it (the extension's `DetailedTask`). */
export interface McpTask extends McpTaskFields {
  /** What the caller may answer with `tasks/update` (the pending approval's decision form). */
  inputRequests?: Record<string, unknown>;
  /**
   * The call's result once it completed (a failed call's too, as `isError`): a 2026-07-28
   * `CallToolResult`, `resultType` included, as the call would have answered it.
   */
  result?: { resultType: 'complete'; content: { type: 'text'; text: string }[]; isError?: boolean };
  _meta?: Record<string, unknown>;
}

/**
 * A `tools/call` answered with a task (the extension's `CreateTaskResult`: Result & Task, flat,
 * `resultType: "task"`) — not a tool result: no content, no `isError`. What the task waits for is in
 * `tasks/get`.
 */
export interface CreateTaskResult extends McpTaskFields {
  resultType: 'task';
  _meta?: Record<string, unknown>;
}

/** The approval a task waits for, as the caller sees it: theirs to answer, or someone else's. */
export interface PendingDecision {
  approvalId: string;
  target: string;
  expiresAt: string;
  /** Why the caller may not decide it (Approvals.approvalRefusal): then it is not theirs to answer. */
  refusal?: string | undefined;
  /** Who may decide, as a person reads it (approversText). */
  approvers?: string | undefined;
}

export const TaskRef = z.object({ taskId: Tasks.TaskId }).passthrough();
export const TaskUpdate = z
  .object({
    taskId: Tasks.TaskId,
    inputResponses: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

const ElicitAnswer = z.object({
  action: z.enum(['accept', 'decline', 'cancel']),
  content: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The platform's statuses as the extension's. A failed task is `completed` with its error as the
 * call's result (`isError`): the extension keeps `failed` for JSON-RPC errors, which a call's failure
 * is not (it would be an `isError` result if answered directly).
 */
const STATUS: Record<Tasks.TaskStatus, McpTask['status']> = {
  queued: 'working',
  running: 'working',
  waiting_approval: 'input_required',
  completed: 'completed',
  failed: 'completed',
  cancelled: 'cancelled',
};

/**
 * The tasks extension over the platform's own tasks (docs/mcp.md): `tasks/get` reads the task,
 * `tasks/update` decides its pending approval as the caller, `tasks/cancel` cancels it — each as the
 * HTTP API does (the same commands, the same owner-or-admin rule in the orchestrator), so a task of
 * another user or tenant is answered like one that does not exist.
 */
@Injectable()
export class McpTasks {
  constructor(
    private readonly access: TaskAccess,
    private readonly cancelTask: CancelTaskUseCase,
    private readonly sessions: TaskSessions,
  ) {}

  async get(actor: Actor, taskId: string): Promise<McpTask> {
    const view = await this.view(actor, taskId);
    if (view.status !== 'waiting_approval') return toMcpTask(view);
    const pending = (await this.pending(actor, taskId))[0];
    return toMcpTask(view, pending && decisionOf(pending, actor));
  }

  /** Decides the task's pending approval with the caller's answer (the form of `tasks/get`). */
  async update(actor: Actor, taskId: string, responses: Record<string, unknown>): Promise<McpTask> {
    const answer = ElicitAnswer.safeParse(responses[DECISION_KEY]);
    if (!answer.success)
      throw new ProtocolError(
        INVALID_PARAMS,
        `inputResponses.${DECISION_KEY}: ${answer.error.issues[0]?.message ?? 'invalid'} (an elicitation result: {action, content: {decision}})`,
      );
    await this.view(actor, taskId); // not the caller's: NOT_FOUND before anything else
    const approval = (await this.pending(actor, taskId))[0];
    if (!approval)
      throw new ProtocolError(INVALID_PARAMS, `task ${taskId} waits for no decision`, {
        taskId,
      });
    if (answer.data.action !== 'cancel') {
      const form =
        answer.data.action === 'accept' ? DecisionForm.safeParse(answer.data.content) : undefined;
      if (form && !form.success)
        throw new ProtocolError(
          INVALID_PARAMS,
          `inputResponses.${DECISION_KEY}.content.decision: must be approve or reject`,
        );
      const decision = form?.data.decision ?? 'reject';
      const reason = form?.data.reason?.trim() || (decision === 'reject' ? DECLINED_REASON : '');
      const session = this.sessions.create(actor, taskId);
      await this.ask(
        () =>
          session.decide({
            approvalId: approval.approvalId,
            decision,
            ...(reason ? { reason } : {}),
          }),
        taskId,
      );
    }
    return this.get(actor, taskId);
  }

  async cancel(actor: Actor, taskId: string): Promise<McpTask> {
    await this.ask(
      () =>
        this.cancelTask.execute(taskId, actor, `cancelled by ${actor.userId} (MCP tasks/cancel)`),
      taskId,
    );
    return this.get(actor, taskId);
  }

  private async view(actor: Actor, taskId: string): Promise<Tasks.TaskView | QueuedView> {
    const view = await this.ask(() => this.access.view(taskId, actor), taskId);
    return view ?? queuedView(taskId);
  }

  private async pending(actor: Actor, taskId: string): Promise<Approvals.ApprovalView[]> {
    return this.ask(() => this.sessions.create(actor, taskId).listPending(), taskId);
  }

  /** A domain refusal as a JSON-RPC error: NOT_FOUND (someone else's task too) as an unknown task. */
  private async ask<T>(fn: () => Promise<T>, taskId: string): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!isDomainError(e)) throw e;
      if (e.code === 'NOT_FOUND')
        throw new ProtocolError(INVALID_PARAMS, `unknown task ${taskId}`, { code: e.code });
      throw new ProtocolError(INVALID_PARAMS, `${e.code}: ${e.message}`, { code: e.code });
    }
  }
}

type QueuedView = Pick<Tasks.TaskView, 'taskId' | 'status' | 'createdAt' | 'updatedAt'> &
  Partial<Tasks.TaskView>;

function queuedView(taskId: string): QueuedView {
  const now = new Date().toISOString();
  return { taskId, status: 'queued', createdAt: now, updatedAt: now };
}

/** A pending approval as `actor` sees it: may they decide it, and if not, who may. */
function decisionOf(pending: Approvals.ApprovalView, actor: Actor): PendingDecision {
  const refusal = Approvals.approvalRefusal(pending.policy, pending.requestedBy, actor);
  return pendingDecision(pending, refusal, pending.policy);
}

/** The ids, target and expiry of an approval (never its arguments), and the caller's refusal. */
export function pendingDecision(
  approval: Pick<Approvals.ApprovalView, 'approvalId' | 'target' | 'expiresAt'>,
  refusal: string | undefined,
  policy: Approvals.ApprovalPolicy,
): PendingDecision {
  const { approvalId, target, expiresAt } = approval;
  return {
    approvalId,
    target,
    expiresAt,
    ...(refusal ? { refusal, approvers: approversText(policy) } : {}),
  };
}

/**
 * The platform's task as an MCP task: `input_required` with the decision form while an approval the
 * caller may decide waits; `working` while one waits for someone else (nothing for this client to
 * answer; the message says who decides).
 */
export function toMcpTask(view: QueuedView, pending?: PendingDecision): McpTask {
  const theirs = pending !== undefined && !pending.refusal;
  const status = view.status === 'waiting_approval' && !theirs ? 'working' : STATUS[view.status];
  const message = statusMessageOf(view, pending);
  return {
    taskId: view.taskId,
    status,
    ...(message ? { statusMessage: message } : {}),
    createdAt: view.createdAt,
    lastUpdatedAt: view.updatedAt,
    ttlMs: TASK_TTL_MS,
    pollIntervalMs: POLL_INTERVAL_MS,
    ...(theirs ? { inputRequests: { [DECISION_KEY]: decisionRequest(pending) } } : {}),
    ...(view.status === 'completed'
      ? { result: { resultType: 'complete', content: [{ type: 'text', text: view.result ?? '' }] } }
      : {}),
    ...(view.status === 'failed'
      ? {
          result: {
            resultType: 'complete',
            content: [{ type: 'text', text: failureText(view.error) }],
            isError: true,
          },
        }
      : {}),
    _meta: {
      [RELATED_TASK]: { taskId: view.taskId },
      [META_APPROVAL]: {
        taskId: view.taskId,
        ...(pending ? { approvalId: pending.approvalId } : {}),
        status: view.status,
        ...(pending ? { expiresAt: pending.expiresAt } : {}),
      },
    },
  };
}

/** The task as the answer of the `tools/call` that made it (its Task fields only). */
export function createTaskResult(task: McpTask): CreateTaskResult {
  return {
    resultType: 'task',
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt,
    ttlMs: task.ttlMs,
    ...(task.pollIntervalMs !== undefined ? { pollIntervalMs: task.pollIntervalMs } : {}),
    ...(task._meta ? { _meta: task._meta } : {}),
  };
}

export function isCreateTaskResult(result: unknown): result is CreateTaskResult {
  return (result as { resultType?: unknown } | null)?.resultType === 'task';
}

/** Whether the request's client took the tasks extension (only then may a call become a task). */
export function takesTasks(caps: { extensions?: Record<string, unknown> } | undefined): boolean {
  return caps?.extensions?.[TASKS_EXTENSION] !== undefined;
}

function failureText(error: Tasks.TaskView['error']): string {
  return error ? `${error.code}: ${error.message}` : 'FAILED: the task failed';
}

function statusMessageOf(
  view: QueuedView,
  pending: PendingDecision | undefined,
): string | undefined {
  if (pending) {
    const waits = `${pending.target} waits for approval ${pending.approvalId} until ${pending.expiresAt}`;
    return pending.refusal
      ? `${waits}. You may not decide it yourself (${pending.refusal}); who may: ${pending.approvers ?? 'an approver of its policy'}.`
      : `${waits}: answer it with tasks/update`;
  }
  if (view.status === 'cancelled' || view.status === 'failed') return view.error?.message;
  return undefined;
}

/** The embedded elicitation a client answers with `tasks/update` (or by calling again). */
export function decisionRequest(
  pending: Pick<Approvals.ApprovalView, 'approvalId' | 'target' | 'expiresAt'>,
  message = `Approve the call of ${pending.target}? (approval ${pending.approvalId}, until ${pending.expiresAt})`,
): { method: 'elicitation/create'; params: Record<string, unknown> } {
  return {
    method: 'elicitation/create',
    params: { mode: 'form', message, requestedSchema: DECISION_FORM },
  };
}
