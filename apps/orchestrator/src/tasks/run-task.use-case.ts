import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { isDomainError, Tasks } from '@switchboard/contracts';
import { NatsBus, permanentFailure } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { UsageMeter } from '../budget/usage-meter.js';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';
import { BLOCKED_PLACEHOLDER } from '../guardrails/guardrail.service.js';
import { Guardrails } from '../guardrails/guardrails.js';
import { CancellationRegistry, CancelledBy } from './cancellation.registry.js';
import { RoundPlanner } from './round-planner.js';
import { TaskEventLog } from './task-event.log.js';
import { TaskFinisher } from './task-finisher.js';
import { TaskLoop } from './task-loop.js';
import { TaskRepository } from './task.repository.js';
import type { Outcome, TaskRun } from './task-run.js';
import { TaskTelemetry } from './task.telemetry.js';

type Settings = Pick<
  OrchestratorEnv,
  'TASK_TIMEOUT_MS' | 'TASK_TOKEN_BUDGET' | 'LLM_PRICES' | 'TASK_OUTAGE_WAIT_MS'
>;

/**
 * Runs one task delivered by the work queue: input guardrail, claim (create, or resume after a crash),
 * the loop under the task's signal (cancellation + wall-time budget), then the outcome. Never throws
 * for a task that failed: the failure is the task's outcome. A task that runs out of time has its
 * remote work stopped too: the task's cancel is broadcast, as for a user's cancellation. Each run is
 * one span of the submission's trace, and starts and ends with a log line and the task metrics.
 */
@Injectable()
export class RunTaskUseCase {
  constructor(
    private readonly repository: TaskRepository,
    private readonly eventLog: TaskEventLog,
    private readonly loop: TaskLoop,
    private readonly finisher: TaskFinisher,
    private readonly planning: RoundPlanner,
    private readonly cancellations: CancellationRegistry,
    private readonly guardrails: Guardrails,
    private readonly bus: NatsBus,
    @Inject(APP_CONFIG) private readonly config: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly telemetry: TaskTelemetry,
  ) {}

  execute(submission: Tasks.TaskSubmission, deliveryCount: number): Promise<void> {
    return this.telemetry.track(submission, deliveryCount, () =>
      this.run(submission, deliveryCount),
    );
  }

  private async run(submission: Tasks.TaskSubmission, deliveryCount: number): Promise<void> {
    const { taskId, actor, request } = submission;
    // Checked before anything is stored: blocked text never reaches a row, an event or a turn.
    const inputHit = this.guardrails.check('input', request.task);
    const text = inputHit ? BLOCKED_PLACEHOLDER : request.task;
    const claim = await this.repository.claim(submission, this.planning.kind, text);
    if (claim.resumed && Tasks.TERMINAL_TASK_STATUSES.includes(claim.status)) {
      this.logger.debug({ taskId, deliveryCount }, 'task delivered again after it ended');
      await this.eventLog.ensureTerminalEvent(taskId, this.planning.kind);
      return;
    }
    const events = await this.eventLog.open(taskId, claim.resumed);
    const deadline = claim.startedAt.getTime() + this.config.TASK_TIMEOUT_MS;
    const controller = this.cancellations.register(taskId);
    const signal = AbortSignal.any([
      controller.signal,
      AbortSignal.timeout(Math.max(0, deadline - Date.now())),
    ]);
    const run: TaskRun = {
      submission,
      text,
      events,
      signal,
      deadline,
      retry: { deadline, maxOutageMs: this.config.TASK_OUTAGE_WAIT_MS, signal },
      meter: new UsageMeter(this.config.TASK_TOKEN_BUDGET, this.config.LLM_PRICES),
      plan: [],
      resumed: claim.resumed,
    };
    let outcome: Outcome;
    this.telemetry.begin(run, {
      planner: this.planning.kind,
      model: this.planning.kind === 'llm' ? this.planning.model : undefined,
    });
    try {
      if (!claim.resumed) {
        const llm = this.planning.kind === 'llm';
        events.emit(
          'orchestrator.task.started',
          {
            task: text,
            userId: actor.userId,
            planner: this.planning.kind,
            ...(request.thread_id ? { threadId: request.thread_id } : {}),
            ...(llm && this.planning.model ? { model: this.planning.model } : {}),
          },
          `task started (${llm ? `LLM planner, model ${this.planning.model ?? 'unknown'}` : 'built-in planner, no LLM'})`,
        );
      } else {
        this.logger.warn(
          { taskId, deliveryCount, completedSteps: claim.steps.length },
          'resuming task after redelivery',
        );
      }
      if (claim.cancelReason !== undefined) {
        outcome = { status: 'cancelled', reason: claim.cancelReason };
      } else if (inputHit) {
        outcome = {
          status: 'failed',
          error: this.guardrails.block(run, inputHit, request.task.length).toBody(),
        };
      } else {
        outcome = await this.loop.run(run, claim.steps);
      }
    } catch (e) {
      outcome = this.outcomeOf(e, signal);
    } finally {
      this.cancellations.unregister(taskId);
    }
    if (signal.aborted && !(signal.reason instanceof CancelledBy)) {
      // Aborting here only abandons the call in flight: mcp-tools and a2a (every replica) hear the
      // task's cancel broadcast and stop the running tool call or remote agent.
      this.bus.publish(Tasks.TaskCancelRequested, [taskId], {
        taskId,
        reason: `the task exceeded its time budget of ${this.config.TASK_TIMEOUT_MS} ms (TASK_TIMEOUT_MS)`,
      });
    }
    const durationMs = Date.now() - claim.startedAt.getTime();
    await this.finisher.finish(run, outcome, durationMs);
    this.telemetry.end(run, outcome, durationMs);
  }

  private outcomeOf(e: unknown, signal: AbortSignal): Outcome {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      if (reason instanceof CancelledBy) return { status: 'cancelled', reason: reason.reason };
      return {
        status: 'failed',
        error: {
          code: 'TIMEOUT',
          message: `the task exceeded its time budget of ${this.config.TASK_TIMEOUT_MS} ms (TASK_TIMEOUT_MS)`,
          retryable: false,
        },
      };
    }
    if (isDomainError(e)) return { status: 'failed', error: e.toBody() };
    // Data the database refuses (or that breaks a contract) fails the same way on every attempt.
    const permanent = permanentFailure(e);
    if (permanent) return { status: 'failed', error: permanent.toBody() };
    this.logger.error({ err: e }, 'task failed unexpectedly');
    return {
      status: 'failed',
      error: { code: 'INTERNAL', message: 'the task failed unexpectedly', retryable: false },
    };
  }
}
