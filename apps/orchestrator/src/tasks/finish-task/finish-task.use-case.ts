import { Inject, Injectable, Optional } from '@nestjs/common';
import { type ErrorBody, Tasks, Tenancy, tenantOf } from '@switchboard/contracts';
import { type AuditEvent, AuditTrail } from '@switchboard/messaging';
import { RUN_SLOT, type RunSlot } from '../ports/run-slot.port.js';
import { taskRefOf } from '../../tenancy/tenant-scope.js';
import {
  observeEnded,
  observeReleased,
  type ReleasedTask,
  TASK_OBSERVERS,
  type TaskObserver,
} from '../ports/task-observer.port.js';
import { TaskRepository } from '../task.repository.js';
import type { TaskRun } from '../run-task/task-run.js';
import type { Outcome } from '../ports/task-run.view.js';

/**
 * Ends a task: the row and every event not journaled yet, the terminal one (with the task's token
 * usage) last, in one statement (a client reading the task after the terminal event sees the same
 * outcome); then the task observers hear of its end (the thread's turns: the next message of the
 * thread sees this one), then its concurrentTasks slot is freed (so a client that saw the end may
 * start the next task at once) and the observers release what it held (its thread, to the next task
 * waiting for it); then the events go out live. The task's audit
 * record is stored by the same statement (JournalOutbox) and relayed after it (AuditRelay). If the
 * statement fails, this throws before anything is final: the submission is
 * redelivered and the task resumes (and keeps its slot).
 */
@Injectable()
export class FinishTaskUseCase {
  constructor(
    private readonly repository: TaskRepository,
    private readonly audit: AuditTrail,
    @Inject(RUN_SLOT) private readonly slots: RunSlot,
    @Optional()
    @Inject(TASK_OBSERVERS)
    private readonly observers: readonly TaskObserver[] = [],
  ) {}

  async finish(run: TaskRun, outcome: Outcome, durationMs: number): Promise<void> {
    const { submission: s, events } = run;
    const usage = run.meter.total();
    // A replay's verdict comes before its end: stored with its row, streamed before its terminal event.
    const verdict = await run.source.verdict(run, outcome);
    if (verdict) run.verdict = verdict;
    if (verdict)
      events.emit(
        'orchestrator.replay.verdict',
        verdict,
        verdict.identical
          ? 'identical to its record'
          : `diverged: ${verdict.divergence?.summary ?? ''}`,
      );
    // The count of the task's stored steps, a step under way included (stored as cancelled by the
    // same statement): the event says what GET /tasks/{id} and the task list show.
    const under = run.underWay;
    const steps = run.stepsStored.size + (under && !run.stepsStored.has(under.index) ? 1 : 0);
    const ending = { steps, durationMs, ...(usage ? { usage } : {}) };
    this.emitEnding(run, outcome, ending);
    // Owed by the end itself: committed with it, relayed after (a crash in between leaves it to the sweep).
    events.owe(this.audit.build(this.endRecord(run, outcome, ending)));
    // The slot is freed before the end is stored: a client that reads the task ended (its row, a
    // poll of GET /tasks/{id}) may start its next task at once. (An end that then fails to store
    // comes again and runs on without a slot — its renewals do not take one back — rather than a
    // finished task holding one.) The terminal event is journaled with the end and published once
    // the thread is free too.
    await this.slots.release(s);
    events.hold();
    try {
      await events.commit((journal) =>
        this.repository.finish(
          taskRefOf(s),
          {
            ...(verdict ? { verdict } : {}),
            status: outcome.status,
            planner: run.planner,
            plan: run.plan,
            lastEventSeq: events.lastSeq,
            durationMs,
            ...(under ? { interrupted: under } : {}),
            ...(usage ? { usage } : {}),
            ...(outcome.status === 'completed'
              ? { result: outcome.result, output: outcome.output }
              : {}),
            ...(outcome.status === 'failed' ? { error: outcome.error } : {}),
            ...(outcome.status === 'cancelled'
              ? { error: { code: 'CANCELLED', message: outcome.reason, retryable: false } }
              : {}),
          },
          journal,
        ),
      );
    } catch (e) {
      // Not ended here (another run ended it, or the store failed: the submission comes again and
      // resumes after what the journal holds): nothing of this end goes out.
      events.restart(events.lastSeq);
      events.release();
      throw e;
    }
    try {
      // A replay or fork is a run beside its thread's conversation, not a turn of it: its end is
      // told to no observer (task-observer.port.ts).
      const live = run.source.inThread;
      if (live) await observeEnded(this.observers, { submission: s, text: run.text, outcome });
      // After its turns: the next task of the thread (docs/api.md, "Threads") sees them (or, after
      // a rollback, does not: the release discards them).
      if (live) await observeReleased(this.observers, releasedTaskOf(s));
    } finally {
      events.release();
    }
  }

  /**
   * The audit record of a task that ended before a crash, from its row: a replica killed between
   * storing the row and storing the record leaves it to the replica the submission goes to next. Same
   * record id as the first report (onceKey), so the trail keeps one either way. Its slot is freed
   * again too (idempotent), for a replica killed before it freed it.
   */
  async recordEndAgain(s: Tasks.TaskSubmission): Promise<void> {
    const view = await this.repository.get(s.taskId, tenantOf(s.actor));
    if (!view || !Tasks.TERMINAL_TASK_STATUSES.includes(view.status)) return;
    await this.slots.release(s);
    if (!s.run) await observeReleased(this.observers, releasedTaskOf(s));
    await this.audit.record(
      taskEndRecord(s, view.status, {
        steps: view.steps.length,
        durationMs: Math.round(view.durationMs ?? 0),
        ...(view.planner ? { planner: view.planner } : {}),
        ...(view.usage ? { totalTokens: view.usage.totalTokens } : {}),
        ...(view.status === 'failed' && view.error ? failureDetails(view.error) : {}),
      }),
    );
  }

  /** The terminal event, with the task's steps, duration and token usage. */
  private emitEnding(run: TaskRun, outcome: Outcome, ending: Ending): void {
    const { events } = run;
    switch (outcome.status) {
      case 'completed':
        events.emit(
          'orchestrator.task.completed',
          {
            result: outcome.result,
            ...(outcome.output !== undefined ? { output: outcome.output } : {}),
            planner: run.planner,
            ...ending,
          },
          outcome.result,
        );
        break;
      case 'failed':
        events.emit(
          'orchestrator.task.failed',
          { error: outcome.error, ...ending },
          outcome.error.message,
        );
        break;
      case 'cancelled':
        events.emit(
          'orchestrator.task.cancelled',
          { reason: outcome.reason, ...ending },
          `cancelled: ${outcome.reason}`,
        );
        break;
    }
  }

  /** The audit record of the task's end, with its steps, duration, planner and usage. */
  private endRecord(
    run: TaskRun,
    outcome: Outcome,
    { steps, durationMs, usage }: Ending,
  ): AuditEvent {
    const s = run.submission;
    return taskEndRecord(s, outcome.status, {
      steps,
      durationMs: Math.round(durationMs),
      planner: run.planner,
      ...(run.model ? { model: run.model } : {}),
      ...(s.run ? { run: { kind: s.run.kind, of: s.run.of } } : {}),
      ...(usage
        ? {
            totalTokens: usage.totalTokens,
            ...(usage.costUsd !== undefined ? { costUsd: usage.costUsd } : {}),
          }
        : {}),
      ...(outcome.status === 'failed' ? failureDetails(outcome.error) : {}),
    });
  }
}

/** What the audit record says of a failure: its code, and the quota that stopped it (if one did). */
function failureDetails(error: ErrorBody): Record<string, unknown> {
  const quota = Tenancy.QuotaExceeded.safeParse(error.details);
  return { code: error.code, ...(quota.success ? { quota: quota.data } : {}) };
}

/**
 * The audit record of a task's end. One record however many replicas report it (see recordEndAgain):
 * every report of the same task carries the same onceKey.
 */
function taskEndRecord(
  s: Tasks.TaskSubmission,
  status: Tasks.TaskStatus,
  details: Record<string, unknown>,
): AuditEvent {
  return {
    category: 'task',
    action: `task.${status}`,
    outcome: status === 'completed' ? 'success' : 'failure',
    resource: s.taskId,
    taskId: s.taskId,
    actor: { userId: s.actor.userId, role: s.actor.role },
    tenantId: tenantOf(s.actor),
    correlationId: s.correlationId,
    onceKey: `task:${s.taskId}:ended`,
    details,
  };
}

function releasedTaskOf(s: Tasks.TaskSubmission): ReleasedTask {
  return { taskId: s.taskId, actor: s.actor, threadId: s.request.thread_id };
}

/** What every terminal event carries. */
interface Ending {
  steps: number;
  durationMs: number;
  usage?: NonNullable<ReturnType<TaskRun['meter']['total']>>;
}
