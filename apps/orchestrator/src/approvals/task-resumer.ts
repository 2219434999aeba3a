import { Inject, Injectable } from '@nestjs/common';
import type { Tasks } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { type PendingDecisions, TaskCore } from '../tasks/index.js';
import { ApprovalRepository } from './approval.repository.js';

/**
 * Puts a task that waits for approvals back on the work queue once nothing of it is pending, so any
 * replica resumes it (no process held it while it waited). The message id names the task and how many
 * approvals it has: two deciders of the last two approvals, or a decider and the paused run itself,
 * publish the same id and JetStream keeps one. The task core's pause and cancel reach it through
 * the PendingDecisions port.
 */
@Injectable()
export class TaskResumer implements PendingDecisions {
  constructor(
    private readonly tasks: TaskCore,
    private readonly approvals: ApprovalRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Resubmits the task if it waits and none of its approvals is pending; true if it did. */
  async resumeIfDecided(taskId: string): Promise<boolean> {
    const { total, pending } = await this.approvals.counts(taskId);
    if (pending > 0) return false;
    return this.wake(taskId, `resume:${total}`);
  }

  /**
   * A task being cancelled: its pending approvals are cancelled (decided by `userId`), and, waiting
   * for them, it has no replica to hear the cancel: it is submitted again, to end as cancelled
   * wherever it is delivered.
   */
  async cancel(task: Pick<Tasks.TaskView, 'taskId' | 'status'>, userId: string): Promise<void> {
    await this.approvals.cancelPending(task.taskId, userId);
    if (task.status === 'waiting_approval') await this.resumeCancelled(task.taskId);
  }

  /** Resubmits a waiting task that was cancelled: its run ends it as cancelled. */
  resumeCancelled(taskId: string): Promise<boolean> {
    return this.wake(taskId, 'cancel');
  }

  /** Wakes the waiting task (TaskCore.wakeWaiting); false when it does not wait. */
  private async wake(taskId: string, reason: string): Promise<boolean> {
    const duplicate = await this.tasks.wakeWaiting(taskId, reason);
    if (duplicate === undefined) return false;
    const msgId = `${taskId}:${reason}`;
    this.logger.info({ taskId, msgId, duplicate }, 'task submitted again to resume it');
    return true;
  }
}
