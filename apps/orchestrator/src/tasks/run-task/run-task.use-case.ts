import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { isDomainError, type Tasks } from '@switchboard/contracts';
import { permanentFailure } from '@switchboard/messaging';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { RUN_SLOT, type RunSlot } from '../ports/run-slot.port.js';
import { CancellationRegistry, CancelledBy } from '../cancellation.registry.js';
import { FinishTaskUseCase } from '../finish-task/finish-task.use-case.js';
import { PauseTaskUseCase } from '../pause-task/pause-task.use-case.js';
import { START_GATE, type StartGate } from '../ports/start-gate.port.js';
import { TaskTelemetry } from '../task.telemetry.js';
import { StartTask } from './start-task.js';
import { TaskLoop } from './task-loop.js';
import type { LoopResult } from './task-run.js';
import type { Outcome } from '../ports/task-run.view.js';

/**
 * Runs one task delivered by the work queue: start (claim, or resume after a crash), the loop under the task's signal (cancellation + wall-time
 * budget), then finish with the outcome. Never throws for a task that failed: the failure is the
 * task's outcome. A task that runs out of time has its remote work stopped too: the task's cancel is
 * broadcast, as for a user's cancellation. Each run is one span of the submission's trace, and starts
 * and ends with a log line and the task metrics.
 */
@Injectable()
export class RunTaskUseCase {
  constructor(
    private readonly starter: StartTask,
    private readonly loop: TaskLoop,
    private readonly finisher: FinishTaskUseCase,
    private readonly pauser: PauseTaskUseCase,
    private readonly cancellations: CancellationRegistry,
    private readonly telemetry: TaskTelemetry,
    @Inject(RUN_SLOT) private readonly slots: RunSlot,
    @Inject(APP_CONFIG) private readonly config: Pick<OrchestratorEnv, 'TASK_TIMEOUT_MS'>,
    @Inject(START_GATE) private readonly startGate: StartGate,
  ) {}

  execute(submission: Tasks.TaskSubmission, deliveryCount: number): Promise<void> {
    return this.telemetry.track(submission, deliveryCount, () =>
      this.run(submission, deliveryCount),
    );
  }

  private async run(submission: Tasks.TaskSubmission, deliveryCount: number): Promise<void> {
    // Held by the start gate (its thread runs an earlier task: it waits, stored, and the end of that
    // task submits it again).
    if (!(await this.startGate.mayRun(submission))) {
      return;
    }
    // Its cancellation is heard from before its claim (CancellationRegistry.listen).
    const listening = this.cancellations.listen(submission.taskId);
    const started = await this.starter.start(submission).catch((e: unknown) => {
      if (listening) this.cancellations.unregister(submission.taskId);
      throw e;
    });
    if (!started) {
      if (listening) this.cancellations.unregister(submission.taskId);
      // Ended before: its terminal event was checked; its audit record may have been lost with the
      // replica that ended it.
      await this.finisher.recordEndAgain(submission);
      this.telemetry.redelivered(submission.taskId, deliveryCount);
      return;
    }
    const { run } = started;
    const { taskId } = submission;
    this.telemetry.begin(run, deliveryCount, started.storedSteps.length);
    // Its concurrentTasks slot is renewed while it runs here; freed by the finisher.
    const letGo = this.slots.hold(submission, run.resumed);
    let result: LoopResult;
    try {
      result = started.early ?? (await this.loop.run(run, started.storedSteps));
    } catch (e) {
      result = this.outcomeOf(e, run.signal);
    } finally {
      this.cancellations.unregister(taskId);
      letGo();
    }
    if (result.status === 'waiting_approval') {
      // Stored as waiting; the last decision (or a cancellation) submits it again. It keeps its slot
      // for the rest of its lease, renewed when it resumes (docs/quotas.md).
      const paused = await this.pauser.pause(run);
      if (paused.paused) return;
      // A cancel was stored while it was pausing (`running → cancelling`): it ends now, as cancelled.
      if (paused.state !== 'cancelling') throw new Error(`task ${taskId} ended while it paused`);
      result = { status: 'cancelled', reason: paused.cancelReason ?? 'cancelled by user' };
    }
    const outcome: Outcome = result;
    if (run.signal.aborted && !(run.signal.reason instanceof CancelledBy)) {
      // Aborting here only abandons the call in flight: mcp-tools and a2a (every replica) hear the
      // task's cancel broadcast and stop the running tool call or remote agent.
      this.cancellations.broadcast(taskId, this.timeoutMessage());
    }
    const durationMs = Date.now() - run.startedAt.getTime();
    await this.finisher.finish(run, outcome, durationMs);
    this.telemetry.end(run, outcome, durationMs);
  }

  private timeoutMessage(): string {
    return `the task exceeded its time budget of ${this.config.TASK_TIMEOUT_MS} ms (TASK_TIMEOUT_MS)`;
  }

  private outcomeOf(e: unknown, signal: AbortSignal): Outcome {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      if (reason instanceof CancelledBy) return { status: 'cancelled', reason: reason.reason };
      return {
        status: 'failed',
        error: { code: 'TIMEOUT', message: this.timeoutMessage(), retryable: false },
      };
    }
    // A replay or fork that reached the step where its record stopped.
    if (e instanceof CancelledBy) return { status: 'cancelled', reason: e.reason };
    if (isDomainError(e)) return { status: 'failed', error: e.toBody() };
    // Data the database refuses (or that breaks a contract) fails the same way on every attempt.
    const permanent = permanentFailure(e);
    if (permanent) return { status: 'failed', error: permanent.toBody() };
    this.telemetry.unexpected(e);
    return {
      status: 'failed',
      error: { code: 'INTERNAL', message: 'the task failed unexpectedly', retryable: false },
    };
  }
}
