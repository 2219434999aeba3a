import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type Approvals, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { StreamSlots } from '../../limits/stream-slots.js';
import { TaskEventFollower } from '../feed/task-event.follower.js';
import { SubmitTaskUseCase } from '../submit-task/submit-task.use-case.js';
import {
  type AttachOptions,
  type NewTaskOptions,
  type SessionDeps,
  TaskSession,
} from './task-session.js';
import { pendingApprovals } from './task-approvals.js';

/**
 * Opens the gateway's task sessions: every edge (HTTP, SSE, AG-UI, A2A, MCP, the console's) talks to
 * a task through one TaskSession and only translates what it yields into its protocol.
 */
@Injectable()
export class TaskSessions {
  private readonly deps: SessionDeps;

  constructor(
    private readonly submit: SubmitTaskUseCase,
    follower: TaskEventFollower,
    slots: StreamSlots,
    bus: NatsBus,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.deps = { submit, follower, slots, bus, logger };
  }

  /** A fresh task id (the task is submitted under it). */
  newTaskId(): string {
    return this.submit.newTaskId();
  }

  /**
   * A session not opened yet: the edge can tie it to its client (`leave`, `leaveWhen`) before it
   * takes anything, then `start` it (a new task, `taskId` fresh unless given) or `attach` it.
   */
  create(actor: Actor, taskId: string = this.newTaskId()): TaskSession {
    return new TaskSession(taskId, actor, this.deps);
  }

  /** A new task's session, opened: submit it next. */
  async start(actor: Actor, opts: NewTaskOptions & { taskId?: string } = {}): Promise<TaskSession> {
    const session = this.create(actor, opts.taskId);
    await session.start(opts);
    return session;
  }

  /** A session on an existing task, following it from after `afterSeq`. */
  async attach(actor: Actor, taskId: string, opts: AttachOptions): Promise<TaskSession> {
    const session = this.create(actor, taskId);
    await session.attach(opts);
    return session;
  }

  /**
   * A session on an existing task from after its stored events: the task read first (its view used
   * once by the feed; the orchestrator's refusal thrown), then `attach` from its last event.
   */
  async resume(
    actor: Actor,
    taskId: string,
    opts: Omit<AttachOptions, 'afterSeq' | 'known'> = {},
  ): Promise<TaskSession> {
    const view = await this.deps.bus.request(Tasks.TaskGet, { taskId }, { actor });
    return this.attach(actor, taskId, { ...opts, afterSeq: view.lastEventSeq, known: { view } });
  }

  /** A task's pending approvals as `actor` sees them, without a session; undefined: not readable now. */
  pendingApprovals(actor: Actor, taskId: string): Promise<Approvals.ApprovalView[] | undefined> {
    return pendingApprovals(this.deps, taskId, actor);
  }
}
