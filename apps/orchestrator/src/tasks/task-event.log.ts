import { Inject, Injectable } from '@nestjs/common';
import { type Actor, Tasks, tenantOf } from '@switchboard/contracts';
import {
  LOGGER,
  type Logger,
  requestContext,
  SERVICE_IDENTITY,
  type ServiceIdentity,
} from '@switchboard/observability';
import { ALL_TENANTS } from '../tenancy/tenant-scope.js';
import { TaskJournal } from './journal/task-journal.js';
import { type JournalOwner, TaskJournalRepository } from './journal/task-journal.repository.js';
import { TaskEventSequence } from './task-event.stream.js';
import { TaskRepository } from './task.repository.js';

/**
 * A task's event sequences (journaled: TaskEventSequence), where they continue from after a crash
 * (the journal's last seq), and repair of a lost terminal event.
 */
@Injectable()
export class TaskEventLog {
  constructor(
    private readonly journal: TaskJournal,
    private readonly entries: TaskJournalRepository,
    private readonly repository: TaskRepository,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The task's event sequence: a new task's from seq 1 (its first events ride with its claim), a
   * resumed one's after its last journaled event (`continueAfterJournal`).
   */
  open(taskId: string, resumed: boolean, webhook?: unknown): Promise<TaskEventSequence> {
    const events = this.sequence(taskId, 0, webhook);
    return resumed ? this.continueAfterJournal(events) : Promise.resolve(events);
  }

  /**
   * `events` continuing after the last event the journal holds for its task; the audit records its
   * earlier run still owes go with this run's (a replica killed while it held them for the end).
   */
  async continueAfterJournal(events: TaskEventSequence): Promise<TaskEventSequence> {
    events.restart((await this.last(events.taskId))?.seq ?? 0);
    await this.journal.adoptOwed(events.taskId);
    return events;
  }

  /** A task finished before a crash may have lost its terminal event: publish it from the stored row. */
  async ensureTerminalEvent(taskId: string, fallbackPlanner: Tasks.PlannerKind): Promise<void> {
    const last = await this.last(taskId);
    if (last && Tasks.isTerminalTaskEvent(last)) return;
    // The task's own row (read by its id for the task itself, whichever tenant it is in).
    const view = await this.repository.get(taskId, ALL_TENANTS);
    if (!view) return;
    const events = this.sequence(taskId, last?.seq ?? 0);
    const steps = view.steps.length;
    const durationMs = view.durationMs ?? 0;
    const usage = view.usage ? { usage: view.usage } : {};
    if (view.status === 'completed') {
      events.emit(
        'orchestrator.task.completed',
        {
          result: view.result ?? '',
          planner: view.planner ?? fallbackPlanner,
          steps,
          durationMs,
          ...usage,
        },
        view.result,
      );
    } else if (view.status === 'cancelled') {
      events.emit('orchestrator.task.cancelled', {
        reason: view.error?.message ?? 'cancelled',
        steps,
        durationMs,
        ...usage,
      });
    } else {
      const error = view.error ?? {
        code: 'INTERNAL' as const,
        message: 'the task failed',
        retryable: false,
      };
      events.emit(
        'orchestrator.task.failed',
        { error, steps, durationMs, ...usage },
        error.message,
      );
    }
    await events.flush();
  }

  /**
   * A task's events are journaled in the name of its submitter (the run's request context holds the
   * submission's actor, a resumed run's too), so the actor's tenant is the task's.
   */
  sequence(taskId: string, lastSeq: number, webhook?: unknown): TaskEventSequence {
    return new TaskEventSequence(
      taskId,
      lastSeq,
      this.identity.service,
      this.journal,
      ownerOf(requestContext.get()?.actor, webhook),
      this.logger,
    );
  }

  /** The last journaled event of the task (undefined when none is). */
  last(taskId: string): Promise<Tasks.TaskEvent | undefined> {
    return this.entries.last(taskId);
  }
}

function ownerOf(actor: Actor | undefined, webhook: unknown): JournalOwner {
  return {
    tenantId: tenantOf(actor),
    ...(actor ? { userId: actor.userId } : {}),
    ...(webhook !== undefined ? { webhook } : {}),
  };
}
