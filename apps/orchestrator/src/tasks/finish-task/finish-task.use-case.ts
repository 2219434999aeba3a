import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { ThreadHistoryService } from '../../threads/thread-history.service.js';
import { storedTrigger } from '../lifecycle/task-lifecycle.js';
import { TaskRepository } from '../task.repository.js';
import type { Outcome, TaskRun } from '../run-task/task-run.js';

/**
 * Ends a task: the events emitted so far are flushed first (a terminal row or event must never get
 * ahead of them: clients release events in seq order), then the row (so a client reading the task
 * after the terminal event sees the same outcome), then the thread's turns (so the next message of the
 * thread sees this one), then the terminal event with the task's token usage, and the audit record.
 * If the earlier events cannot be stored, this throws before anything is final: the submission is
 * redelivered and the task resumes.
 */
@Injectable()
export class FinishTaskUseCase {
  constructor(
    private readonly repository: TaskRepository,
    private readonly threads: ThreadHistoryService,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  // eslint-disable-next-line max-lines-per-function -- one sequence read top to bottom; to be split (docs/architecture.md, Long functions)
  async finish(run: TaskRun, outcome: Outcome, durationMs: number): Promise<void> {
    const { submission: s, events } = run;
    // The loop moves to `finishing` with the outcomes it decides; an error or a cancellation that
    // stopped it mid-phase does here.
    if (run.phase.state !== 'finishing')
      run.phase.fire(outcome.status === 'cancelled' ? 'cancelled' : 'failed');
    const usage = run.meter.total();
    const planner = run.planner;
    await events.flush();
    // The count the row's steps give, not the plan's: the event then says what GET /tasks/{id} and
    // the task list show, also for a step that was under way when the task stopped.
    const steps = await this.repository.finish(s.taskId, {
      status: outcome.status,
      planner,
      plan: run.plan,
      lastEventSeq: events.lastSeq + 1,
      durationMs,
      ...(run.underWay ? { interrupted: run.underWay } : {}),
      ...(usage ? { usage } : {}),
      ...(outcome.status === 'completed' ? { result: outcome.result, output: outcome.output } : {}),
      ...(outcome.status === 'failed' ? { error: outcome.error } : {}),
      ...(outcome.status === 'cancelled'
        ? { error: { code: 'CANCELLED', message: outcome.reason, retryable: false } }
        : {}),
    });
    await this.threads
      .record({
        userId: s.actor.userId,
        threadId: s.request.thread_id,
        taskId: s.taskId,
        user: run.text,
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
    const u = usage ? { usage } : {};
    switch (outcome.status) {
      case 'completed':
        events.emit(
          'orchestrator.task.completed',
          {
            result: outcome.result,
            ...(outcome.output !== undefined ? { output: outcome.output } : {}),
            planner,
            steps,
            durationMs,
            ...u,
          },
          outcome.result,
        );
        break;
      case 'failed':
        events.emit(
          'orchestrator.task.failed',
          { error: outcome.error, steps, durationMs, ...u },
          outcome.error.message,
        );
        break;
      case 'cancelled':
        events.emit(
          'orchestrator.task.cancelled',
          { reason: outcome.reason, steps, durationMs, ...u },
          `cancelled: ${outcome.reason}`,
        );
        break;
    }
    void this.audit.record({
      category: 'task',
      action: `task.${outcome.status}`,
      outcome: outcome.status === 'completed' ? 'success' : 'failure',
      resource: s.taskId,
      taskId: s.taskId,
      actor: { userId: s.actor.userId, role: s.actor.role },
      correlationId: s.correlationId,
      details: {
        steps,
        durationMs: Math.round(durationMs),
        planner,
        ...(run.model ? { model: run.model } : {}),
        ...(usage
          ? {
              totalTokens: usage.totalTokens,
              ...(usage.costUsd !== undefined ? { costUsd: usage.costUsd } : {}),
            }
          : {}),
        ...(outcome.status === 'failed' ? { code: outcome.error.code } : {}),
      },
    });
    await events.flush();
    run.phase.fire(storedTrigger(outcome.status));
  }
}
