import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Tasks } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { type StartGate, TaskCore } from '../../tasks/index.js';
import { ThreadGateRepository } from '../thread-gate.repository.js';
import { threadKeyOf } from '../thread-key.js';

/**
 * The thread's door on the work queue: a new task delivered while its thread is someone else's is
 * not claimed — its submission is stored with its place in line, its row as `waiting_thread`, and the
 * delivery acked (stored `queued` → `waiting_thread`); the release of the task before it moves
 * its row to `queued` and submits it again. Tasks without a thread, replays and forks (beside their
 * thread's conversation) and tasks claimed before (a resume, a redelivery) always go on.
 */
@Injectable()
export class WaitForThreadUseCase implements StartGate {
  constructor(
    private readonly gate: ThreadGateRepository,
    @Inject(APP_CONFIG)
    private readonly config: Pick<OrchestratorEnv, 'THREAD_ADMISSION_STALE_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly tasks: TaskCore,
  ) {}

  /** True if the task may run now; false if it waits for its thread (nothing else to do). */
  async mayRun(s: Tasks.TaskSubmission): Promise<boolean> {
    const threadId = s.request.thread_id;
    if (!threadId || s.run) return true;
    if (await this.gate.claimed(s.taskId)) return true;
    const key = threadKeyOf(s.actor, threadId);
    if (await this.gate.enter(key, s, this.config.THREAD_ADMISSION_STALE_MS)) return true;
    this.logger.info({ taskId: s.taskId, threadId }, 'thread busy: the task waits for its turn');
    return false;
  }

  /**
   * The submission of a task waiting for its thread (undefined: not waiting, or its first delivery
   * has not arrived yet): what a read or a cancellation of it knows before its claim (its row, if
   * any, holds no text yet).
   */
  waiting(taskId: string): Promise<Tasks.TaskSubmission | undefined> {
    return this.gate.waitingSubmission(taskId);
  }

  /**
   * A task cancelled while it waits for its thread ends at once, not when its turn comes: its stored
   * submission is delivered again, and `mayRun` lets it through to its claim (its row `cancelling`, or
   * the queued cancellation when it had no row), which ends it as cancelled. Nothing to do for a task
   * that does not wait, or whose first delivery has not arrived yet (it sees the cancellation when it
   * does).
   */
  async letCancelledGo(taskId: string): Promise<void> {
    const submission = await this.gate.waitingSubmission(taskId);
    if (!submission) return;
    await this.tasks.wake(submission, 'thread-cancel');
  }
}
