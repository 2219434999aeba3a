import { Inject, Injectable } from '@nestjs/common';
import { type Actor, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';

/** Where a task stands in its thread once admitted. */
export type ThreadPlace = Tasks.ThreadAdmitResponse;

/**
 * A task that names a thread is admitted into it by the orchestrator, which owns threads and decides
 * under the thread's row lock, before it is submitted (docs/api.md, "Threads"): whichever surface and
 * gateway it came from, two messages to one thread are decided one after the other. A busy thread with
 * `reject` is the orchestrator's CONFLICT (409, `details.running_task_id`), rethrown as is. A task
 * that could not be submitted after all gives its place back.
 */
@Injectable()
export class ThreadAdmission {
  constructor(
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async admit(
    taskId: string,
    actor: Actor,
    request: Tasks.TaskRequest,
  ): Promise<ThreadPlace | undefined> {
    if (!request.thread_id) return undefined;
    return this.bus.request(
      Tasks.ThreadAdmit,
      {
        taskId,
        threadId: request.thread_id,
        ...(request.thread_policy ? { policy: request.thread_policy } : {}),
      },
      { actor },
    );
  }

  /** Never throws: the orchestrator stops waiting for a task that never came after a while anyway. */
  async withdraw(taskId: string, actor: Actor, request: Tasks.TaskRequest): Promise<void> {
    if (!request.thread_id) return;
    await this.bus
      .request(Tasks.ThreadWithdraw, { taskId, threadId: request.thread_id }, { actor })
      .catch((e: unknown) =>
        this.logger.warn({ err: e, taskId }, 'could not give the task its thread place back'),
      );
  }
}
