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
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger, requestContext } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { GatewayEnv } from '../config/gateway.env.js';
import { SubmitTaskUseCase } from '../tasks/submit-task/submit-task.use-case.js';
import { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import { TaskAccess } from '../tasks/task-access.js';
import { TaskEventFollower, type TaskEventFeed } from '../tasks/feed/task-event.feed.js';
import {
  approvalMessage,
  approvalReplyOf,
  approvalRequestOf,
  webhookRequestOf,
  threadPolicyOf,
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

/** Where a run of the executor reads the task's events from, and which it skips. */
interface Following {
  feed: TaskEventFeed;
  /** The approvals this message decided: events before the decision of one of them were sent before. */
  answered: ReadonlySet<string>;
}

/**
 * Runs an A2A message as a platform task, the same way POST /orchestrate does: the A2A task id is
 * the platform task id, the A2A contextId is the conversation thread; the task goes on the durable
 * submission stream and its events (followed before submitting, so none is missed) become A2A status
 * updates, the answer an artifact. Cancel is sent to the orchestrator, whose cancelled event ends it.
 *
 * A task that stops for a person's decision (docs/approvals.md) becomes INPUT_REQUIRED, its status
 * message saying which calls wait and how to answer; a message on that task (same taskId) decides
 * through the orchestrator, and the same A2A task follows the platform task on to its end.
 */
@Injectable()
export class PlatformAgentExecutor implements AgentExecutor {
  private readonly running = new Map<string, Actor>();

  constructor(
    private readonly submit: SubmitTaskUseCase,
    private readonly follower: TaskEventFollower,
    private readonly cancelling: CancelTaskUseCase,
    private readonly access: TaskAccess,
    private readonly nats: NatsBus,
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
    let following: Following | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const actor = actorOf(ctx.context.user);
      this.running.set(taskId, actor);
      if (ctx.task) {
        bus.publish(AgentEvent.task(ctx.task));
        announced = true;
        following = await this.answer(ctx, actor, updates);
      } else {
        following = await this.start(ctx, actor);
        bus.publish(AgentEvent.task(initial));
        announced = true;
      }
      if (!following) return;
      const feed = following.feed;
      timer = setTimeout(() => feed.close(), this.config.RESULT_TIMEOUT_MS);
      if (await this.follow(following, actor, updates)) return;
      updates.status(
        TaskState.TASK_STATE_FAILED,
        `no outcome within ${this.config.RESULT_TIMEOUT_MS} ms; the platform task may still finish (GET /tasks/${taskId})`,
      );
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
      clearTimeout(timer);
      following?.feed.close();
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
  private async start(ctx: RequestContext, actor: Actor): Promise<Following> {
    const { taskId, contextId } = ctx;
    const text = taskTextOf(ctx.userMessage);
    const approval = approvalRequestOf(ctx.userMessage);
    const webhook = webhookRequestOf(ctx.userMessage);
    const threadPolicy = threadPolicyOf(ctx.userMessage);
    const feed = await this.follower.follow(taskId, { afterSeq: 0, replay: false, actor });
    try {
      await this.submit.execute(
        taskId,
        actor,
        {
          task: text,
          thread_id: contextId,
          ...(approval ? { approval } : {}),
          ...(webhook ? { webhook } : {}),
          ...(threadPolicy ? { thread_policy: threadPolicy } : {}),
        },
        requestContext.get()?.correlationId ?? taskId,
      );
    } catch (e) {
      feed.close();
      throw e;
    }
    return { feed, answered: new Set() };
  }

  /**
   * Decides the approval the message answers and follows the task on (undefined: the task ended or
   * still waits, and the updates say so). The feed is taken before the decision, after the event the
   * task stopped at, so the run it resumes is followed whole.
   */
  private async answer(
    ctx: RequestContext,
    actor: Actor,
    updates: TaskUpdates,
  ): Promise<Following | undefined> {
    const { taskId } = ctx;
    const reply = approvalReplyOf(ctx.userMessage);
    const view = await this.access.view(taskId, actor);
    if (view && Tasks.TERMINAL_TASK_STATUSES.includes(view.status)) {
      const ended = fromTaskView(view).status?.state ?? TaskState.TASK_STATE_FAILED;
      updates.status(ended, 'the task has ended; nothing waits for a decision');
      return undefined;
    }
    const pending = (await this.pendingOf(taskId, actor)) ?? [];
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
    const feed = await this.follower.follow(taskId, {
      afterSeq: view?.lastEventSeq ?? 0,
      replay: true,
      actor,
      ...(view ? { known: { view } } : {}),
    });
    for (const approval of chosen) {
      try {
        await this.nats.request(
          Approvals.ApprovalDecide,
          {
            taskId,
            approvalId: approval.approvalId,
            decision: reply.decision,
            ...(reply.input ? { input: reply.input } : {}),
            ...(reply.reason ? { reason: reply.reason } : {}),
          },
          { actor },
        );
      } catch (e) {
        // Decided already (by someone else): the task goes on all the same.
        if (isDomainError(e) && e.code === 'CONFLICT') continue;
        feed.close();
        if (!isDomainError(e)) throw e;
        updates.waiting(pending, `the decision was refused: ${e.code}: ${e.message}`);
        return undefined;
      }
    }
    const left = (await this.pendingOf(taskId, actor)) ?? [];
    if (left.length > 0) {
      feed.close();
      updates.waiting(left);
      return undefined;
    }
    updates.status(
      TaskState.TASK_STATE_WORKING,
      chosen.length > 0
        ? `${reply.decision === 'approve' ? 'approved' : 'rejected'}: ${chosen.map((a) => a.target).join(', ')}`
        : 'nothing waits for a decision any more; following the task',
    );
    return { feed, answered: new Set(chosen.map((a) => a.approvalId)) };
  }

  /**
   * Turns the task's events into A2A updates until its outcome (true) or until it waits for approvals
   * (true: INPUT_REQUIRED says which); false when the feed ended first.
   */
  private async follow(
    { feed, answered }: Following,
    actor: Actor,
    updates: TaskUpdates,
  ): Promise<boolean> {
    let skipping = answered.size > 0;
    for await (const event of feed) {
      if (skipping) {
        const decidedHere =
          event.name === Tasks.TaskEventName.ApprovalDecided && answered.has(event.data.approvalId);
        if (!decidedHere && !Tasks.isTerminalTaskEvent(event)) continue;
        skipping = false;
      }
      const outcome = outcomeOf(event);
      if (outcome) {
        if (outcome.state === TaskState.TASK_STATE_COMPLETED) updates.artifact(outcome.artifact);
        updates.status(outcome.state, outcome.text);
        return true;
      }
      if (event.name === Tasks.TaskEventName.ApprovalRequested) {
        // The orchestrator stores every call it holds before it says so: one look finds them all.
        const pending = await this.pendingOf(updates.taskId, actor);
        if (pending?.length === 0) continue; // decided meanwhile: the task goes on
        updates.waiting(pending ?? [event.data as WaitingCall]);
        return true;
      }
      const progress = progressText(event);
      if (progress) updates.status(TaskState.TASK_STATE_WORKING, progress);
    }
    return false;
  }

  /** The task's pending approvals; undefined when they cannot be read now. */
  private async pendingOf(
    taskId: string,
    actor: Actor,
  ): Promise<Approvals.ApprovalView[] | undefined> {
    try {
      const { approvals } = await this.nats.request(
        Approvals.ApprovalList,
        { status: 'pending', taskId, limit: 200 },
        { actor },
      );
      return approvals;
    } catch (e) {
      this.logger.warn({ err: e, taskId }, 'could not read the pending approvals');
      return undefined;
    }
  }
}
