import { Inject, Injectable } from '@nestjs/common';
import type { Tasks } from '@switchboard/contracts';
import {
  counter,
  type DeclaredMetrics,
  declareMetrics,
  gauge,
  histogram,
  LOGGER,
  type Logger,
  Metrics,
  requestContext,
  SpanKind,
  withSpan,
} from '@switchboard/observability';
import type { TaskRun } from './run-task/task-run.js';
import type { Outcome } from './ports/task-run.view.js';

/** How a task ended, as the metrics label it: the outcome and, unless it completed, the error code. */
export function outcomeLabels(outcome: Outcome): { outcome: Outcome['status']; code: string } {
  switch (outcome.status) {
    case 'completed':
      return { outcome: 'completed', code: '' };
    case 'failed':
      return { outcome: 'failed', code: outcome.error.code };
    case 'cancelled':
      return { outcome: 'cancelled', code: 'CANCELLED' };
  }
}

/** The task series: in flight on this replica, started, ended and how long they took. */
const TASK_METRICS = {
  inFlight: gauge('sb_tasks_in_flight', 'Tasks this orchestrator replica is running now'),
  started: counter(
    'sb_tasks_started_total',
    'Task runs started, by kind: new, resumed after a redelivery (a crashed or stopped replica), or a replay or fork of a recorded task (docs/replay.md)',
    ['kind'],
  ),
  finished: counter(
    'sb_tasks_finished_total',
    'Tasks ended, by outcome (completed, failed, cancelled) and error code (empty when completed)',
    ['outcome', 'code'],
  ),
  seconds: histogram(
    'sb_task_duration_seconds',
    'Wall time of tasks from their first start to their end, by outcome and error code',
    ['outcome', 'code'],
    [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
  ),
  verdicts: counter(
    'sb_replay_verdicts_total',
    'Replays ended, by verdict: identical to their record, or diverged (docs/replay.md)',
    ['verdict'],
  ),
};

/**
 * What a task run leaves for operators: its span (the submission's trace continues through every
 * round, model call and step below it), the task counters and duration histogram by outcome and
 * error code, the tasks in flight on this replica, and one log line when it starts and one when it
 * ends (outcome, duration, steps, tokens). The lines carry the task id, the user and the trace; never
 * the task's text.
 */
@Injectable()
export class TaskTelemetry {
  private readonly series: DeclaredMetrics<typeof TASK_METRICS>;

  constructor(
    metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.series = declareMetrics(metrics.registry, TASK_METRICS);
    for (const kind of ['new', 'resumed', 'replay', 'fork'])
      this.series.started.labels(kind).inc(0);
    for (const verdict of ['identical', 'diverged']) this.series.verdicts.labels(verdict).inc(0);
  }

  /** Runs one delivery of a task inside its span and log context (every line names the task). */
  track<T>(
    submission: Tasks.TaskSubmission,
    deliveryCount: number,
    fn: () => Promise<T>,
  ): Promise<T> {
    const { taskId, actor } = submission;
    const ctx = requestContext.get();
    return requestContext.run(
      { correlationId: submission.correlationId, ...ctx, actor, taskId },
      () =>
        withSpan(
          'task',
          {
            'switchboard.task_id': taskId,
            'switchboard.user_id': actor.userId,
            'messaging.message.delivery_count': deliveryCount,
          },
          async () => {
            this.series.inFlight.inc();
            try {
              return await fn();
            } finally {
              this.series.inFlight.dec();
            }
          },
          { kind: SpanKind.INTERNAL },
        ),
    );
  }

  /**
   * The run starts its loop: counted as new or resumed, with one line (a resumed run's is a warning:
   * a replica stopped or crashed while it ran the task).
   */
  begin(run: TaskRun, deliveryCount: number, completedSteps: number): void {
    const { taskId, actor, request } = run.submission;
    const { kind } = run.source;
    this.series.started.inc({ kind: run.resumed ? 'resumed' : kind === 'live' ? 'new' : kind });
    if (run.resumed) {
      this.logger.warn({ taskId, deliveryCount, completedSteps }, 'resuming task after redelivery');
      return;
    }
    this.logger.info(
      {
        taskId,
        userId: actor.userId,
        planner: run.planner,
        ...(run.model ? { model: run.model } : {}),
        ...(request.thread_id ? { threadId: request.thread_id } : {}),
      },
      'task started',
    );
  }

  /** A task delivered again after it had ended: nothing ran. */
  redelivered(taskId: string, deliveryCount: number): void {
    this.logger.debug({ taskId, deliveryCount }, 'task delivered again after it ended');
  }

  /** An error no code path expected (the task fails INTERNAL). */
  unexpected(e: unknown): void {
    this.logger.error({ err: e }, 'task failed unexpectedly');
  }

  /** The run ended with `outcome` after `durationMs` since the task first started. */
  end(run: TaskRun, outcome: Outcome, durationMs: number): void {
    const labels = outcomeLabels(outcome);
    this.series.finished.inc(labels);
    if (run.verdict)
      this.series.verdicts.inc({ verdict: run.verdict.identical ? 'identical' : 'diverged' });
    this.series.seconds.observe(labels, durationMs / 1000);
    const usage = run.meter.total();
    const line = {
      taskId: run.submission.taskId,
      userId: run.submission.actor.userId,
      outcome: outcome.status,
      ...(labels.code && outcome.status === 'failed'
        ? { code: labels.code, error: outcome.error.message }
        : {}),
      ...(outcome.status === 'cancelled' ? { reason: outcome.reason } : {}),
      durationMs: Math.round(durationMs),
      steps: run.plan.length,
      ...(usage
        ? {
            tokens: usage.totalTokens,
            ...(usage.costUsd !== undefined ? { costUsd: usage.costUsd } : {}),
          }
        : {}),
    };
    if (outcome.status === 'failed') this.logger.warn(line, 'task finished');
    else this.logger.info(line, 'task finished');
  }
}
