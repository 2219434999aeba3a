import { type Artifact, type Message, type Task, TaskState } from '@a2a-js/sdk';
import { A2AError } from '@a2a-js/sdk/errors';
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, Approvals, isDomainError, Tasks } from '@switchboard/contracts';
import { LOGGER, type Logger, requestContext } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { GatewayEnv } from '../config/gateway.env.js';
import { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import type { TaskSession } from '../tasks/session/task-session.js';
import { TaskSessions } from '../tasks/session/task-sessions.js';
import { TaskAccess } from '../tasks/task-access.js';
import {
  approvalMessage,
  approvalReplyOf,
  approvalRequestOf,
  webhookRequestOf,
  threadPolicyOf,
  agentChoiceOf,
  type WaitingCall,
} from './a2a-approvals.translator.js';
import {
  actorOf,
  agentMessage,
  fromTaskView,
  outcomeOf,
  progressText,
  taskTextOf,
} from './a2a.translator.js';

/** Writes one A2A task's updates on the SDK's event bus. */
class TaskUpdates {
  constructor(
    private readonly bus: ExecutionEventBus,
    readonly taskId: string,
    readonly contextId: string,
  ) {}

  status(state: TaskState, text: string): void {
    this.statusWith(state, agentMessage(this.taskId, this.contextId, text, randomUUID()));
  }

  statusWith(state: TaskState, message: Message): void {
    this.bus.publish(
      AgentEvent.statusUpdate({
        taskId: this.taskId,
        contextId: this.contextId,
        status: { state, timestamp: new Date().toISOString(), message },
        metadata: undefined,
      }),
    );
  }

  artifact(artifact: Artifact): void {
    this.bus.publish(
      AgentEvent.artifactUpdate({
        taskId: this.taskId,
        contextId: this.contextId,
        artifact,
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    );
  }

  /** Asks for decisions on these calls (the task waits for them). */
  waiting(calls: readonly WaitingCall[], note?: string): void {
    this.statusWith(
      TaskState.TASK_STATE_INPUT_REQUIRED,
      approvalMessage(this.taskId, this.contextId, calls, randomUUID(), note),
    );
  }
}

/**
 * Runs an A2A message as a platform task, the same way POST /orchestrate does: the A2A task id is
 * the platform task id, the A2A contextId is the conversation thread; the task's session (followed
 * before submitting, so no event is missed) becomes A2A status updates, the answer an artifact.
 * Cancel is sent to the orchestrator, whose cancelled event ends it.
 *
 * A task that stops for a person's decision (docs/approvals.md) becomes INPUT_REQUIRED, its status
 * message saying which calls wait and how to answer; a message on that task (same taskId) decides
 * through the orchestrator, and the same A2A task follows the platform task on to its end.
 */
@Injectable()
export class PlatformAgentExecutor implements AgentExecutor {
  private readonly running = new Map<string, Actor>();

  constructor(
    private readonly sessions: TaskSessions,
    private readonly cancelling: CancelTaskUseCase,
    private readonly access: TaskAccess,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Whether this replica is running the task's executor now (a waiting task has none). */
  isRunning(taskId: string): boolean {
    return this.running.has(taskId);
  }

  execute = async (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = ctx;
    const updates = new TaskUpdates(bus, taskId, contextId);
    const initial: Task = ctx.task ?? {
      id: taskId,
      contextId,
      status: {
        state: TaskState.TASK_STATE_SUBMITTED,
        timestamp: new Date().toISOString(),
        message: undefined,
      },
      artifacts: [],
      history: [ctx.userMessage],
      metadata: undefined,
    };
    let announced = false;
    let session: TaskSession | undefined;
    try {
      const actor = actorOf(ctx.context.user);
      this.running.set(taskId, actor);
      if (ctx.task) {
        bus.publish(AgentEvent.task(ctx.task));
        announced = true;
        session = await this.answer(ctx, actor, updates);
      } else {
        session = await this.start(ctx, actor);
        bus.publish(AgentEvent.task(initial));
        announced = true;
      }
      if (session) await this.follow(session, updates);
    } catch (e) {
      // The SDK would put the raw error message in the FAILED status; say only what is safe.
      const expected = isDomainError(e) || e instanceof A2AError;
      const message = isDomainError(e)
        ? `${e.code}: ${e.message}`
        : e instanceof A2AError
          ? e.message
          : 'the task could not be run';
      if (!expected) this.logger.error({ err: e, taskId }, 'A2A task failed unexpectedly');
      if (!announced) bus.publish(AgentEvent.task(initial));
      updates.status(TaskState.TASK_STATE_FAILED, message);
    } finally {
      session?.close();
      this.running.delete(taskId);
      bus.finished();
    }
  };

  cancelTask = async (taskId: string): Promise<void> => {
    const actor = this.running.get(taskId);
    if (!actor) return;
    await this.cancelling.execute(taskId, actor, 'cancelled through A2A (CancelTask)');
  };

  /** Submits the message as a new platform task, followed from its first event. */
  private async start(ctx: RequestContext, actor: Actor): Promise<TaskSession> {
    const { taskId, contextId } = ctx;
    const text = taskTextOf(ctx.userMessage);
    const approval = approvalRequestOf(ctx.userMessage);
    const webhook = webhookRequestOf(ctx.userMessage);
    const threadPolicy = threadPolicyOf(ctx.userMessage);
    const agent = agentChoiceOf(ctx.userMessage);
    const session = await this.sessions.start(actor, { taskId });
    await session.submit(
      {
        task: text,
        thread_id: contextId,
        ...(approval ? { approval } : {}),
        ...(webhook ? { webhook } : {}),
        ...(threadPolicy ? { thread_policy: threadPolicy } : {}),
        ...(agent ? { agent } : {}),
      },
      requestContext.get()?.correlationId ?? taskId,
    );
    return session;
  }

  /**
   * Decides the approval the message answers and follows the task on (undefined: the task ended or
   * still waits, and the updates say so). The session attaches before the decision, after the event
   * the task stopped at, so the run it resumes is followed whole.
   */
  private async answer(
    ctx: RequestContext,
    actor: Actor,
    updates: TaskUpdates,
  ): Promise<TaskSession | undefined> {
    const { taskId } = ctx;
    const reply = approvalReplyOf(ctx.userMessage);
    const view = await this.access.view(taskId, actor);
    if (view && Tasks.TERMINAL_TASK_STATUSES.includes(view.status)) {
      const ended = fromTaskView(view).status?.state ?? TaskState.TASK_STATE_FAILED;
      updates.status(ended, 'the task has ended; nothing waits for a decision');
      return undefined;
    }
    const session = this.sessions.create(actor, taskId);
    const pending = (await session.pendingApprovals()) ?? [];
    const chosen = reply.approvalId
      ? pending.filter((a) => a.approvalId === reply.approvalId)
      : pending.length === 1
        ? pending
        : [];
    if (pending.length > 0 && chosen.length === 0) {
      updates.waiting(
        pending,
        reply.approvalId
          ? `approval ${reply.approvalId} does not wait on this task.`
          : `${pending.length} calls wait: name the approvalId you decide.`,
      );
      return undefined;
    }
    await session.attach({
      afterSeq: view?.lastEventSeq ?? 0,
      ...(view ? { known: { view } } : {}),
      answered: new Set(chosen.map((a) => a.approvalId)),
    });
    const refusal = await this.decide(session, chosen, reply);
    if (refusal) {
      session.close();
      updates.waiting(pending, refusal);
      return undefined;
    }
    const left = (await session.pendingApprovals()) ?? [];
    if (left.length > 0) {
      session.close();
      updates.waiting(left);
      return undefined;
    }
    updates.status(
      TaskState.TASK_STATE_WORKING,
      chosen.length > 0
        ? `${reply.decision === 'approve' ? 'approved' : 'rejected'}: ${chosen.map((a) => a.target).join(', ')}`
        : 'nothing waits for a decision any more; following the task',
    );
    return session;
  }

  /** Decides the chosen approvals; the note for a refusal (the task still waits), else undefined. */
  private async decide(
    session: TaskSession,
    chosen: readonly Approvals.ApprovalView[],
    reply: ReturnType<typeof approvalReplyOf>,
  ): Promise<string | undefined> {
    for (const approval of chosen) {
      try {
        await session.decide({
          approvalId: approval.approvalId,
          decision: reply.decision,
          ...(reply.input ? { input: reply.input } : {}),
          ...(reply.reason ? { reason: reply.reason } : {}),
        });
      } catch (e) {
        // Decided already (by someone else): the task goes on all the same.
        if (isDomainError(e) && e.code === 'CONFLICT') continue;
        session.close();
        if (!isDomainError(e)) throw e;
        return `the decision was refused: ${e.code}: ${e.message}`;
      }
    }
    return undefined;
  }

  /**
   * Turns the session into A2A updates: progress as WORKING, then the outcome, INPUT_REQUIRED when the
   * task waits for approvals (saying which), or FAILED when no outcome came within RESULT_TIMEOUT_MS.
   */
  private async follow(session: TaskSession, updates: TaskUpdates): Promise<void> {
    const outcome = await session.outcome({
      timeoutMs: this.config.RESULT_TIMEOUT_MS,
      // The orchestrator stores every call it holds before it says so: one look finds them all.
      pause: 'pending',
      onEvent: (event) => {
        const progress = progressText(event);
        if (progress) updates.status(TaskState.TASK_STATE_WORKING, progress);
      },
    });
    if (outcome.kind === 'answered' || outcome.kind === 'failed') {
      const ending = outcomeOf(outcome.event);
      if (ending?.state === TaskState.TASK_STATE_COMPLETED) updates.artifact(ending.artifact);
      if (ending) updates.status(ending.state, ending.text);
      return;
    }
    if (outcome.kind === 'waiting') {
      updates.waiting(outcome.pending ?? [outcome.event.data as WaitingCall]);
      return;
    }
    updates.status(
      TaskState.TASK_STATE_FAILED,
      `no outcome within ${this.config.RESULT_TIMEOUT_MS} ms; the platform task may still finish (GET /tasks/${session.taskId})`,
    );
  }
}
