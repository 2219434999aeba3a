import { Inject, Injectable } from '@nestjs/common';
import type { Actor, Tasks } from '@switchboard/contracts';
import { REQUEST_BACKOFF, retryWithBackoff } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TaskCore } from '../../tasks/index.js';
import { ThreadGateRepository } from '../thread-gate.repository.js';
import { threadKeyOf } from '../thread-key.js';

/** A task as the release needs it: whose, and which thread. */
export interface ThreadHolder {
  taskId: string;
  actor?: Pick<Actor, 'userId' | 'tenantId'> | undefined;
  threadId?: string | undefined;
}

/** How long the next task's submission is offered to a stream that does not take it at once. */
const RESUBMIT_WAIT_MS = 30_000;

/**
 * A task that held its thread ended (completed, failed, cancelled; found ended again after a crash;
 * dead-lettered) or was withdrawn before it was submitted: the thread goes to the first task waiting
 * for it, whose submission (stored when its first delivery found the thread busy) is put back on the
 * work queue (Nats-Msg-Id `<taskId>:thread`: two replicas releasing the same end submit it once). A
 * waiter whose first delivery is still on its way needs nothing: it finds the thread its own. Never
 * throws into the end of a task: a failure is logged — the waiter's row keeps its submission until
 * its task is claimed, and ResubmitHandedOverUseCase publishes it again.
 */
@Injectable()
export class ReleaseThreadUseCase {
  constructor(
    private readonly gate: ThreadGateRepository,
    private readonly tasks: TaskCore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(task: ThreadHolder): Promise<void> {
    if (!task.threadId) return;
    try {
      const next = await this.gate.release(threadKeyOf(task.actor, task.threadId), task.taskId);
      if (next?.submission) await this.submit(next.submission);
      if (next)
        this.logger.info(
          { taskId: next.taskId, after: task.taskId, threadId: task.threadId },
          'thread: the next task runs',
        );
    } catch (e) {
      this.logger.error(
        { err: e, taskId: task.taskId, threadId: task.threadId },
        'could not hand the thread to its next task',
      );
    }
  }

  private async submit(submission: Tasks.TaskSubmission): Promise<void> {
    const until = Date.now() + RESUBMIT_WAIT_MS;
    await retryWithBackoff(() => this.tasks.wake(submission, 'thread'), {
      backoff: REQUEST_BACKOFF,
      until: () => until,
    });
  }
}
