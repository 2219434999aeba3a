import { Injectable } from '@nestjs/common';
import { type Actor, Approvals, isDomainError, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { z } from 'zod';
import { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import { TaskAccess } from '../tasks/task-access.js';
import { DECISION_FORM, DecisionForm, META_APPROVAL } from './mcp-approval.text.js';
import { DECLINED_REASON } from './mcp-approvals.js';
import { ProtocolError } from './mcp.translator.js';

/** The MCP extension a long call becomes a task of (MCP 2026-07-28), and its methods. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
/** The `_meta` key naming the task a result belongs to (as the SDK's RELATED_TASK_META_KEY). */
export const RELATED_TASK = 'io.modelcontextprotocol/related-task';
/** How often a client should poll `tasks/get` (a hint). */
export const POLL_INTERVAL_MS = 2_000;
/** The key of the decision in `inputRequests` / `inputResponses`. */
export const DECISION_KEY = 'decision';

const INVALID_PARAMS = -32602;

/** An MCP task as the extension shows it: the Switchboard task under the same id. */
export interface McpTask {
  taskId: string;
  status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  pollInterval: number;
  /** What the caller may answer with `tasks/update` (the pending approval's decision form). */
  inputRequests?: Record<string, unknown>;
  /** The call's result, once it completed. */
  result?: { content: { type: 'text'; text: string }[]; isError?: boolean };
  _meta?: Record<string, unknown>;
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

const STATUS: Record<Tasks.TaskStatus, McpTask['status']> = {
  queued: 'working',
  running: 'working',
  waiting_approval: 'input_required',
  completed: 'completed',
  failed: 'failed',
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
    private readonly bus: NatsBus,
  ) {}

  async get(actor: Actor, taskId: string): Promise<McpTask> {
    const view = await this.view(actor, taskId);
    if (view.status !== 'waiting_approval') return toMcpTask(view);
    const pending = await this.pending(actor, taskId);
    return toMcpTask(view, pending[0]);
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
      await this.ask(
        () =>
          this.bus.request(
            Approvals.ApprovalDecide,
            { taskId, approvalId: approval.approvalId, decision, ...(reason ? { reason } : {}) },
            { actor },
          ),
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
    const { approvals } = await this.ask(
      () =>
        this.bus.request(
          Approvals.ApprovalList,
          { taskId, status: 'pending', limit: 50 },
          { actor },
        ),
      taskId,
    );
    return approvals;
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

/** The platform's task as an MCP task (with the decision form when an approval waits). */
export function toMcpTask(
  view: QueuedView,
  pending?: Pick<Approvals.ApprovalView, 'approvalId' | 'target' | 'expiresAt'>,
): McpTask {
  const status = STATUS[view.status];
  return {
    taskId: view.taskId,
    status,
    ...(statusMessageOf(view, pending) ? { statusMessage: statusMessageOf(view, pending) } : {}),
    createdAt: view.createdAt,
    lastUpdatedAt: view.updatedAt,
    pollInterval: POLL_INTERVAL_MS,
    ...(pending ? { inputRequests: { [DECISION_KEY]: decisionRequest(pending) } } : {}),
    ...(view.status === 'completed'
      ? { result: { content: [{ type: 'text', text: view.result ?? '' }] } }
      : {}),
    ...(view.status === 'failed' && view.error
      ? {
          result: {
            content: [{ type: 'text', text: `${view.error.code}: ${view.error.message}` }],
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
      },
    },
  };
}

function statusMessageOf(
  view: QueuedView,
  pending: Pick<Approvals.ApprovalView, 'target' | 'approvalId' | 'expiresAt'> | undefined,
): string | undefined {
  if (pending)
    return `${pending.target} waits for approval ${pending.approvalId} until ${pending.expiresAt}: answer it with tasks/update`;
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
