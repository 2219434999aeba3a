import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweep } from '@switchboard/runtime';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TaskCore } from '../../tasks/index.js';
import { ThreadGateRepository } from '../thread-gate.repository.js';

/** How often each replica looks for hand-overs whose publish was lost. */
export const HANDOVER_SWEEP_MS = 15_000;
/** How long a handed-over task may stay unclaimed before it is published again. */
export const HANDOVER_GRACE_MS = 60_000;
const BATCH = 100;

/**
 * A thread is handed to its next task in one transaction, and that task's stored submission is
 * published after the commit (ReleaseThreadUseCase). A replica that dies in between, or a stream that
 * refuses the publish for longer than its retries, would leave the task admitted, promised to its
 * client and never run: its waiter row is therefore kept until the task is claimed, and this sweep
 * publishes again what is still unclaimed after HANDOVER_GRACE_MS — under the same message id, so a
 * publish that did arrive is dropped by JetStream's duplicate window (and, past it, by the task's
 * claim, which never runs one task twice).
 */
@Injectable()
export class ResubmitHandedOverUseCase extends PeriodicSweep {
  constructor(
    private readonly gate: ThreadGateRepository,
    private readonly tasks: TaskCore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(HANDOVER_SWEEP_MS, logger, 'thread hand-over sweep failed; the next one retries');
  }

  /** One sweep; the number of submissions published again. */
  override async sweep(now = Date.now()): Promise<number> {
    const lost = await this.gate.handedOver(new Date(now - HANDOVER_GRACE_MS), BATCH);
    for (const submission of lost) {
      await this.tasks.wake(submission, 'thread');
      this.logger.warn(
        { taskId: submission.taskId, threadId: submission.request.thread_id },
        'thread: a handed-over task was not claimed; submitted again',
      );
    }
    return lost.length;
  }
}
