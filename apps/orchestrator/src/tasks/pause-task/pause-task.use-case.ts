import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@switchboard/observability';
import { PENDING_DECISIONS, type PendingDecisions } from '../ports/pending-decisions.port.js';
import { type PauseResult, TaskRepository } from '../task.repository.js';
import type { TaskRun } from '../run-task/task-run.js';

/**
 * Stops a task that waits for approvals: its row says `waiting_approval`, in the statement that
 * journals its events (the `orchestrator.approval.requested` ones among them), and the work queue's message is acked by the
 * caller — no replica holds the task while people decide. A decision that came while the task was
 * still pausing found it running and did not resubmit it; so after the row is stored, the task is
 * resubmitted here if nothing of it is pending any more (decider and pauser each write, then read
 * what the other wrote: at least one of them sees both, and the message id makes two resubmits one).
 */
@Injectable()
export class PauseTaskUseCase {
  constructor(
    private readonly repository: TaskRepository,
    @Inject(PENDING_DECISIONS) private readonly decisions: PendingDecisions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Not paused when the task is not running any more: a cancel stored while it was pausing (then it
   * ends as cancelled, with the cancel's reason), or an end another run stored.
   */
  async pause(run: TaskRun): Promise<PauseResult> {
    const { taskId } = run.submission;
    // Its events (the approval requests among them) are journaled with the pause; if it does not
    // pause, they wait for the end.
    const paused = await run.events.commit((journal) =>
      this.repository.pause(taskId, run.plan, run.events.lastSeq, journal),
    );
    if (!paused.paused) return paused;
    this.logger.info({ taskId }, 'task waits for approval');
    await this.decisions.resumeIfDecided(taskId);
    return paused;
  }
}
