import { Inject, Injectable } from '@nestjs/common';
import { TaskEventStream, Tasks, tenantOf, type Webhooks } from '@switchboard/contracts';
import { JetStreamService } from '@switchboard/messaging';
import {
  LOGGER,
  type Logger,
  requestContext,
  SERVICE_IDENTITY,
  type ServiceIdentity,
} from '@switchboard/observability';
import { ALL_TENANTS } from '../tenancy/tenant-scope.js';
import { WebhookEventConsumer } from '../webhooks/enqueue-deliveries/webhook-event.consumer.js';
import { TaskEventSequence } from './task-event.stream.js';
import { TaskRepository } from './task.repository.js';

/** Where a task's events continue from (after a crash too), and repair of a lost terminal event. */
@Injectable()
export class TaskEventLog {
  constructor(
    private readonly jetstream: JetStreamService,
    private readonly repository: TaskRepository,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly webhookEvents: WebhookEventConsumer,
  ) {}

  /**
   * The task's event sequence, continuing after the last stored event when resuming. A task whose
   * own webhook asks for every event first makes sure those are read (before its first is stored).
   */
  async open(
    taskId: string,
    resumed: boolean,
    webhook?: Pick<Webhooks.TaskWebhook, 'events'>,
  ): Promise<TaskEventSequence> {
    await this.webhookEvents.prepareFor(webhook?.events);
    const lastSeq = resumed ? ((await this.last(taskId))?.seq ?? 0) : 0;
    return this.sequence(taskId, lastSeq);
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
   * A task's events are published in the name of its submitter (the run's request context holds the
   * submission's actor, a resumed run's too), so the actor's tenant is the task's.
   */
  private sequence(taskId: string, lastSeq: number): TaskEventSequence {
    return new TaskEventSequence(
      taskId,
      lastSeq,
      this.identity.service,
      this.jetstream,
      this.logger,
      tenantOf(requestContext.get()?.actor),
    );
  }

  /** The last stored event of the task (undefined when none is stored yet). */
  async last(taskId: string): Promise<Tasks.TaskEvent | undefined> {
    const last = await this.jetstream.lastMessage(TaskEventStream, Tasks.taskEventsFilter(taskId));
    const parsed = Tasks.StoredTaskEvents.safeParse(last?.data);
    return parsed.success ? Tasks.eventsOf(parsed.data).at(-1) : undefined;
  }
}
