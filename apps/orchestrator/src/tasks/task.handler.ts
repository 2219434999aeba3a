import { Controller, Inject } from '@nestjs/common';
import { type Actor, DomainError, isAdmin, Tasks, tenantOf } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { ALL_TENANTS, scopeOf } from '../tenancy/tenant-scope.js';
import { TaskJournalRepository } from './journal/task-journal.repository.js';
import { START_GATE, type StartGate } from './ports/start-gate.port.js';
import { RUN_TREE, type RunTree } from './ports/run-tree.port.js';
import { TaskCanceller } from './task-canceller.js';
import { TaskRepository } from './task.repository.js';

/**
 * Reads and cancellations of tasks; only the owner or an admin of the task's tenant (or the platform
 * operator), checked here. Another tenant's task answers as one that does not exist (audited).
 */
@Controller()
export class TaskHandler {
  constructor(
    private readonly repository: TaskRepository,
    private readonly canceller: TaskCanceller,
    @Inject(START_GATE) private readonly startGate: StartGate,
    private readonly refusals: TenantRefusals,
    @Inject(RUN_TREE) private readonly records: RunTree,
    private readonly journal: TaskJournalRepository,
  ) {}

  /**
   * A page of the task's journal: any replica answers it (the events are committed with their steps).
   * Read as TaskGet reads: its owner, an admin of its tenant, the platform operator; anyone else
   * (another tenant included) gets NOT_FOUND, as for a task that does not exist. A task waiting for
   * its thread has no event yet (and may have no row yet).
   */
  @HandleCommand(Tasks.TaskEvents)
  async events(
    req: { taskId: string; afterSeq: number; limit: number },
    meta: MessageMeta,
  ): Promise<Tasks.TaskEventsPage> {
    const actor = requireActor(meta.actor);
    const page = await this.journal.page(req.taskId, scopeOf(actor), req.afterSeq, req.limit);
    if (page && (page.userId === actor.userId || isAdmin(actor)))
      return { taskId: req.taskId, events: page.events, lastSeq: page.lastSeq, ended: page.ended };
    if (!page && (await this.waitingOf(req.taskId, actor)))
      return { taskId: req.taskId, events: [], lastSeq: 0, ended: false };
    if (!page) void this.refusedIfElsewhere(req.taskId, actor, 'task.events.denied');
    throw new DomainError('NOT_FOUND', `task ${req.taskId} not found`);
  }

  @HandleCommand(Tasks.TaskGet)
  async get(req: { taskId: string }, meta: MessageMeta): Promise<Tasks.TaskView> {
    const actor = requireActor(meta.actor);
    const found = await this.repository.get(req.taskId, scopeOf(actor));
    // Waiting for its thread (or handed it, not claimed yet), its row has no text, or it has no row
    // yet: as its submission tells, to whoever submitted it (a gateway, a schedule's firing).
    if (!found || found.status === 'queued') {
      const waiting = await this.waitingOf(req.taskId, actor);
      if (waiting) return queuedView(waiting);
    }
    const task = this.ownedOf(found, req.taskId, actor, 'task.get.denied');
    // Its replays and forks the caller may see: the next level of its run tree.
    const runs = await this.records.runsOf(task.taskId, actor);
    const viewed = runs.length ? { ...task, runs } : task;
    if (task.tenantId !== undefined) return viewed;
    // Read in the actor's tenant, the task is in it; the platform operator's read spans tenants.
    const scope = scopeOf(actor);
    const tenantId =
      scope === ALL_TENANTS ? await this.repository.tenantOfTask(task.taskId) : scope;
    return { ...viewed, ...(tenantId !== undefined ? { tenantId } : {}) };
  }

  @HandleCommand(Tasks.TaskCancel)
  async cancel(
    req: { taskId: string; reason: string; whenQueued: boolean },
    meta: MessageMeta,
  ): Promise<{ taskId: string; status: Tasks.TaskStatus }> {
    const actor = requireActor(meta.actor);
    const scope = scopeOf(actor);
    // Not picked up yet: the gateway vouched that the actor submitted it, or it waits for its thread
    // as the actor's (a schedule's firing has no gateway to vouch for it).
    const queued = req.whenQueued || (await this.waitingOf(req.taskId, actor)) !== undefined;
    if (queued && !(await this.repository.get(req.taskId, scope))) {
      await this.repository.rememberQueuedCancel(req.taskId, actor, req.reason);
      // Claimed in the meantime? Then the claim may have missed the row above: cancel it as running.
      // (The claim inserts the task, then reads queued cancellations; we did the reverse, so at least
      // one of the two sees the other.) The claim decides whether the row counts (tenant, owner).
      if (!(await this.repository.get(req.taskId, scope))) {
        // Another tenant's task answers as an id nobody submitted yet does.
        void this.refusedIfElsewhere(req.taskId, actor, 'task.cancel.denied');
        // Waiting for its thread: it ends now rather than when its turn comes.
        await this.startGate.letCancelledGo(req.taskId);
        return { taskId: req.taskId, status: 'queued' };
      }
    }
    const task = await this.owned(req.taskId, actor, 'task.cancel.denied');
    await this.canceller.cancelLive(task, req.reason, actor.userId);
    // Waiting for its thread (its row is cancelling now): it ends now rather than when its turn comes.
    if (task.status === 'queued') await this.startGate.letCancelledGo(task.taskId);
    return { taskId: task.taskId, status: task.status };
  }

  private async owned(taskId: string, actor: Actor, deniedAction: string): Promise<Tasks.TaskView> {
    const task = await this.repository.get(taskId, scopeOf(actor));
    return this.ownedOf(task, taskId, actor, deniedAction);
  }

  /** `task` as read in the actor's scope, if the actor may see it; else NOT_FOUND (audited elsewhere). */
  private ownedOf(
    task: Tasks.TaskView | undefined,
    taskId: string,
    actor: Actor,
    deniedAction: string,
  ): Tasks.TaskView {
    if (!task) void this.refusedIfElsewhere(taskId, actor, deniedAction);
    // Someone else's task is reported as not found, so task ids cannot be probed.
    if (!task || (task.userId !== actor.userId && !isAdmin(actor))) {
      throw new DomainError('NOT_FOUND', `task ${taskId} not found`);
    }
    return task;
  }

  /** The submission of a task waiting for its thread, when the actor may see it (owner or admin). */
  private async waitingOf(taskId: string, actor: Actor): Promise<Tasks.TaskSubmission | undefined> {
    const waiting = await this.startGate.waiting(taskId);
    if (!waiting) return undefined;
    const scope = scopeOf(actor);
    if (scope !== ALL_TENANTS && tenantOf(waiting.actor) !== scope) return undefined;
    return waiting.actor.userId === actor.userId || isAdmin(actor) ? waiting : undefined;
  }

  private refusedIfElsewhere(taskId: string, actor: Actor, action: string): Promise<void> {
    return this.refusals.ifElsewhere(actor, () => this.repository.tenantOfTask(taskId), {
      category: 'auth',
      action,
      resource: taskId,
      taskId,
    });
  }
}

/** A task waiting for its thread, as its submission describes it: queued, nothing run yet. */
function queuedView(s: Tasks.TaskSubmission): Tasks.TaskView {
  return {
    taskId: s.taskId,
    userId: s.actor.userId,
    ...(s.actor.tenantId ? { tenantId: s.actor.tenantId } : {}),
    status: 'queued',
    task: s.request.task,
    steps: [],
    ...(s.request.thread_id ? { threadId: s.request.thread_id } : {}),
    lastEventSeq: 0,
    createdAt: s.submittedAt,
    updatedAt: s.submittedAt,
    ...(s.scheduleId ? { scheduleId: s.scheduleId } : {}),
  };
}
