import { Inject, Injectable } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { PendingDecisions } from '../tasks/ports/pending-decisions.port.js';
import { TaskRepository } from '../tasks/task.repository.js';
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
    private readonly tasks: TaskRepository,
    private readonly approvals: ApprovalRepository,
    private readonly jetstream: JetStreamService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Resubmits the task if it waits and none of its approvals is pending; true if it did. */
  async resumeIfDecided(taskId: string): Promise<boolean> {
    const { total, pending } = await this.approvals.counts(taskId);
    if (pending > 0) return false;
    return this.resubmit(taskId, `${taskId}:resume:${total}`);
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
    return this.resubmit(taskId, `${taskId}:cancel`);
  }

  private async resubmit(taskId: string, msgId: string): Promise<boolean> {
    const submission = await this.tasks.resubmission(taskId);
    if (!submission) return false;
    const { duplicate } = await this.jetstream.publish(Tasks.TaskSubmitted, [], submission, {
      msgId,
      actor: submission.actor,
      correlationId: submission.correlationId,
    });
    this.logger.info({ taskId, msgId, duplicate }, 'task submitted again to resume it');
    return true;
  }
}
