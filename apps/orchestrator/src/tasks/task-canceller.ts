import { Inject, Injectable } from '@nestjs/common';
import { type Actor, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { PENDING_DECISIONS, type PendingDecisions } from './ports/pending-decisions.port.js';
import { scopeOf } from '../tenancy/tenant-scope.js';
import { TaskRepository } from './task.repository.js';

/**
 * Cancels a task, at its next safe point: the one way a user's cancel (TaskHandler) and a thread's
 * interrupt (AdmitToThreadUseCase) stop a task, so both end it the same way (`cancelled`, its step
 * under way stored as cancelled, its tool calls and delegations stopped).
 */
@Injectable()
export class TaskCanceller {
  constructor(
    private readonly repository: TaskRepository,
    private readonly bus: NatsBus,
    @Inject(PENDING_DECISIONS) private readonly decisions: PendingDecisions,
  ) {}

  /** A task that has a row and is not terminal. */
  async cancelLive(
    task: Pick<Tasks.TaskView, 'taskId' | 'status'>,
    reason: string,
    userId: string,
  ): Promise<void> {
    if (Tasks.TERMINAL_TASK_STATUSES.includes(task.status)) return;
    // Stored first, so a task between a crash and its resume still ends cancelled.
    await this.repository.requestCancel(task.taskId, reason);
    // Every replica hears it; the one running the task aborts it and reports `cancelled`.
    this.bus.publish(Tasks.TaskCancelRequested, [task.taskId], { taskId: task.taskId, reason });
    // A task waiting for approvals has no replica to hear it: its approvals are cancelled and it
    // is submitted again, to end as cancelled wherever it is delivered.
    await this.decisions.cancel(task, userId);
  }

  /**
   * The actor's own task, picked up or not: a task no replica has claimed yet ends cancelled when one
   * does. Returns its status (`queued` when it has no row yet).
   */
  async cancelOwn(taskId: string, actor: Actor, reason: string): Promise<Tasks.TaskStatus> {
    const scope = scopeOf(actor);
    let task = await this.repository.get(taskId, scope);
    if (!task) {
      await this.repository.rememberQueuedCancel(taskId, actor, reason);
      // Claimed in the meantime? The claim inserts the task and reads queued cancellations in one
      // statement, whose snapshot is taken when it starts: a claim that started before the cancel was
      // stored and commits after this read sees neither. The replica making it listens for the task's
      // cancel before its claim (CancellationRegistry.listen): it hears this broadcast.
      task = await this.repository.get(taskId, scope);
      if (!task) {
        this.bus.publish(Tasks.TaskCancelRequested, [taskId], { taskId, reason });
        return 'queued';
      }
    }
    await this.cancelLive(task, reason, actor.userId);
    return task.status;
  }
}
