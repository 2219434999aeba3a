import {
  Actor,
  Audit,
  type ErrorBody,
  isDomainError,
  Tasks,
  tenantOf,
} from '@switchboard/contracts';
import type { AuditTrail, DeadLetter } from '@switchboard/messaging';
import { type Logger, requestContext } from '@switchboard/observability';
import { z } from 'zod';
import type { RunSlot } from '../ports/run-slot.port.js';
import { observeReleased, type TaskObserver } from '../ports/task-observer.port.js';
import { submissionRecord } from '../run-task/submission-record.js';
import type { TaskEventLog } from '../task-event.log.js';
import type { TaskRepository } from '../task.repository.js';

/** What can be read from a submission that failed its contract (only the task id is required). */
const SubmissionRef = z.object({
  taskId: Tasks.TaskId,
  actor: Actor.optional().catch(undefined),
  request: z
    .looseObject({
      task: z.string().optional().catch(undefined),
      thread_id: Tasks.TaskRequest.shape.thread_id.catch(undefined),
    })
    .optional()
    .catch(undefined),
  submittedAt: z.string().datetime().optional().catch(undefined),
  correlationId: z.string().optional().catch(undefined),
  audit: Audit.AuditRecord.optional().catch(undefined),
});
type SubmissionRef = z.infer<typeof SubmissionRef>;

/**
 * Ends a task whose submission is dead-lettered — refused for good (it fails its contract, the
 * database refuses its data) or given up after the last attempt — so that no client waits for it:
 * the row is stored as failed (when it can be) and `orchestrator.task.failed` is published after the
 * task's last stored event. A task that is terminal already only gets its terminal event ensured. A
 * submission naming a task of another tenant than its actor's changes nothing of that task. Either
 * way the concurrentTasks slot the gateway admitted the submission with is freed (the submitter's, by
 * the task id: never another tenant's). The submission's own audit record (`task.submit`, which its
 * claim would have journaled) is journaled with the failed event: a submission refused before its
 * claim is recorded too, and one whose claim journaled it already is chained once all the same (the
 * audit service stores a record id once).
 */
export class FailedSubmissions {
  constructor(
    private readonly repository: TaskRepository,
    private readonly eventLog: TaskEventLog,
    private readonly planner: Tasks.PlannerKind,
    private readonly audit: Pick<AuditTrail, 'record'>,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    private readonly slots: Pick<RunSlot, 'release'>,
    /** Told it holds nothing any more (its thread goes to the next task: docs/api.md, "Threads"). */
    private readonly observers: readonly TaskObserver[] = [],
  ) {}

  async end(dead: DeadLetter): Promise<void> {
    const ref = SubmissionRef.safeParse(dead.raw);
    if (!ref.success) {
      this.logger.error({ reason: dead.reason }, 'a dead-lettered submission names no task');
      return;
    }
    // What is sent for it (its terminal event) names the submission's actor and tenant, as the
    // task's run would have.
    const { actor } = ref.data;
    // (The correlation id of the message's headers: the payload's may be what made it fail.)
    const context = { correlationId: dead.meta.correlationId, ...(actor ? { actor } : {}) };
    await requestContext.run(context, () => this.endTask(ref.data, dead));
  }

  private async endTask(ref: SubmissionRef, dead: DeadLetter): Promise<void> {
    const { taskId, actor, request, submittedAt, correlationId } = ref;
    const tenantId = tenantOf(actor);
    await this.slots.release({ taskId, actor });
    await observeReleased(this.observers, { taskId, actor, threadId: request?.thread_id });
    if (await this.ofAnotherTenant(taskId, tenantId)) return;
    const last = await this.eventLog.last(taskId);
    if (last && Tasks.isTerminalTaskEvent(last)) return;
    const row = await this.repository.get(taskId, tenantId).catch((e: unknown) => {
      this.logger.error({ err: e, taskId }, 'could not read the task of a failed submission');
      return undefined;
    });
    if (row && Tasks.TERMINAL_TASK_STATUSES.includes(row.status)) {
      await this.eventLog.ensureTerminalEvent(taskId, this.planner);
      return;
    }
    const error = errorOf(dead);
    const lastSeq = last?.seq ?? 0;
    if (actor) {
      await this.repository
        .abandon({
          taskId,
          actor,
          text: request?.task ?? '',
          request: request ?? {},
          correlationId: correlationId ?? dead.meta.correlationId,
          ...(request?.thread_id ? { threadId: request.thread_id } : {}),
          submittedAt: submittedAt ? new Date(submittedAt) : new Date(),
          planner: this.planner,
          error,
          lastEventSeq: lastSeq + 1,
        })
        .catch((e: unknown) =>
          // The event below still ends every client's stream.
          this.logger.error({ err: e, taskId }, 'could not store the failed task'),
        );
    }
    const events = await this.eventLog.open(taskId, true);
    const submitted = submissionRecord(ref, this.logger);
    if (submitted) events.owe(submitted);
    const started = submittedAt ? Date.parse(submittedAt) : Date.now();
    events.emit(
      'orchestrator.task.failed',
      {
        error,
        steps: row?.steps.length ?? 0,
        durationMs: Math.max(0, Date.now() - started),
      },
      error.message,
    );
    await events.flush();
    void this.audit.record({
      category: 'task',
      action: 'task.failed',
      outcome: 'failure',
      resource: taskId,
      taskId,
      ...(actor ? { actor: { userId: actor.userId, role: actor.role } } : {}),
      tenantId,
      ...(correlationId ? { correlationId } : {}),
      details: { code: error.code, deadLettered: true },
    });
    this.logger.warn({ taskId, code: error.code, reason: dead.reason }, 'failed submission ended');
  }

  /** The task is stored in another tenant than the submission's: its events and row stay as they are. */
  private async ofAnotherTenant(taskId: string, tenantId: string): Promise<boolean> {
    const owner = await this.repository.tenantOfTask(taskId).catch(() => undefined);
    if (owner === undefined || owner === tenantId) return false;
    this.logger.error(
      { taskId },
      "a dead-lettered submission names another tenant's task; left alone",
    );
    return true;
  }
}

/** The task's error: the permanent reason, or that the orchestrator gave up on it. */
function errorOf(dead: DeadLetter): ErrorBody {
  const e = dead.error;
  if (isDomainError(e) && !e.retryable && e.code !== 'INTERNAL') {
    return {
      code: e.code,
      message: `the task cannot run: ${e.message}`,
      ...(e.details ? { details: e.details } : {}),
      retryable: false,
    };
  }
  return {
    code: isDomainError(e) ? e.code : 'INTERNAL',
    message: 'the task could not be run: the orchestrator gave up on it after repeated failures',
    retryable: false,
  };
}
