import { Inject, Injectable } from '@nestjs/common';
import { tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { EndedTask, ReleasedTask, TaskObserver } from '../tasks/index.js';
import { ReleaseThreadUseCase } from './release-thread/release-thread.use-case.js';
import { ThreadHistoryService } from './thread-history.service.js';

/**
 * What a task's end means for its thread (docs/api.md, "Threads"): its turns are stored before its
 * slot is freed, so the next message of the thread sees this one; then the thread goes to the next
 * task waiting for it (after a rollback, the release discards the turns). Neither throws into the end
 * of the task: a failure is logged.
 */
@Injectable()
export class ThreadObserver implements TaskObserver {
  constructor(
    private readonly history: ThreadHistoryService,
    private readonly release: ReleaseThreadUseCase,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The thread's turns, so the next message of the thread sees this one (a failure is logged). */
  ended({ submission: s, text, outcome }: EndedTask): Promise<void> {
    return this.history
      .record({
        tenantId: tenantOf(s.actor),
        userId: s.actor.userId,
        threadId: s.request.thread_id,
        taskId: s.taskId,
        user: text,
        assistant:
          outcome.status === 'completed'
            ? outcome.result
            : outcome.status === 'failed'
              ? `[no answer: ${outcome.error.code}]`
              : '[no answer: cancelled]',
      })
      .catch((e: unknown) =>
        this.logger.error({ err: e, taskId: s.taskId }, 'could not store the thread turns'),
      );
  }

  /** Its thread, if it held it or waited for it, goes to the next task. */
  released(task: ReleasedTask): Promise<void> {
    return this.release.execute(task);
  }
}
