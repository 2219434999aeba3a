import { Controller } from '@nestjs/common';
import { type Actor, DomainError, isAdmin, Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, NatsBus } from '@switchboard/messaging';
import { ApprovalRepository } from '../approvals/approval.repository.js';
import { TaskResumer } from '../approvals/task-resumer.js';
import { TaskRepository } from './task.repository.js';

/** Reads and cancellations of tasks; only the owner or an admin, checked here. */
@Controller()
export class TaskHandler {
  constructor(
    private readonly repository: TaskRepository,
    private readonly bus: NatsBus,
    private readonly approvals: ApprovalRepository,
    private readonly resumer: TaskResumer,
  ) {}

  @HandleCommand(Tasks.TaskGet)
  async get(req: { taskId: string }, meta: MessageMeta): Promise<Tasks.TaskView> {
    return this.owned(req.taskId, requireActor(meta));
  }

  @HandleCommand(Tasks.TaskCancel)
  async cancel(
    req: { taskId: string; reason: string; whenQueued: boolean },
    meta: MessageMeta,
  ): Promise<{ taskId: string; status: Tasks.TaskStatus }> {
    const actor = requireActor(meta);
    if (req.whenQueued && !(await this.repository.get(req.taskId))) {
      await this.repository.rememberQueuedCancel(req.taskId, actor, req.reason);
      // Claimed in the meantime? Then the claim may have missed the row above: cancel it as running.
      // (The claim inserts the task, then reads queued cancellations; we did the reverse, so at least
      // one of the two sees the other.)
      if (!(await this.repository.get(req.taskId))) return { taskId: req.taskId, status: 'queued' };
    }
    const task = await this.owned(req.taskId, actor);
    if (!Tasks.TERMINAL_TASK_STATUSES.includes(task.status)) {
      // Stored first, so a task between a crash and its resume still ends cancelled.
      await this.repository.requestCancel(req.taskId, req.reason);
      // Every replica hears it; the one running the task aborts it and reports `cancelled`.
      this.bus.publish(Tasks.TaskCancelRequested, [req.taskId], {
        taskId: req.taskId,
        reason: req.reason,
      });
      // A task waiting for approvals has no replica to hear it: its approvals are cancelled and it
      // is submitted again, to end as cancelled wherever it is delivered.
      await this.approvals.cancelPending(req.taskId, actor.userId);
      if (task.status === 'waiting_approval') await this.resumer.resumeCancelled(req.taskId);
    }
    return { taskId: task.taskId, status: task.status };
  }

  private async owned(taskId: string, actor: Actor): Promise<Tasks.TaskView> {
    const task = await this.repository.get(taskId);
    // Someone else's task is reported as not found, so task ids cannot be probed.
    if (!task || (task.userId !== actor.userId && !isAdmin(actor))) {
      throw new DomainError('NOT_FOUND', `task ${taskId} not found`);
    }
    return task;
  }
}

function requireActor(meta: MessageMeta): Actor {
  if (!meta.actor) throw new DomainError('UNAUTHORIZED', 'no acting user on the request');
  return meta.actor;
}
