import { Inject, Injectable } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';

/**
 * Publishes a task's journaled events live on core NATS (Tasks.TaskEventPublished, TaskEventBatch
 * payloads of up to MAX_EVENTS_PER_MESSAGE), after the transaction that journaled them committed: at
 * most once, since every reader repairs a gap from the journal (TaskEvents). A message over the
 * server's max_payload is sent in halves; an event that fits no message is left to the journal.
 */
@Injectable()
export class TaskEventPublisher {
  constructor(
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  publish(taskId: string, tenantId: string, events: readonly Tasks.TaskEvent[]): void {
    for (const batch of batchesOf(events)) this.send(taskId, tenantId, batch);
  }

  private send(taskId: string, tenantId: string, events: Tasks.TaskEvent[]): void {
    const last = events.at(-1);
    if (!last) return;
    try {
      this.bus.publish(Tasks.TaskEventPublished, [taskId, tenantId, last.name], { taskId, events });
    } catch (e) {
      if (events.length > 1) {
        const half = Math.ceil(events.length / 2);
        this.send(taskId, tenantId, events.slice(0, half));
        this.send(taskId, tenantId, events.slice(half));
        return;
      }
      // Journaled all the same: a reader missing it reads it from the journal.
      this.logger.warn(
        { taskId, seq: last.seq, event: last.name, err: e },
        'a task event could not be published live',
      );
    }
  }
}

/**
 * The messages of one commit's events: up to MAX_EVENTS_PER_MESSAGE events each, and a run of
 * approval requests always ends its message, so the message's subject (named by its last event)
 * says it holds one (Tasks.APPROVALS_REQUESTED_FILTER). A terminal event is last anyway.
 */
export function batchesOf(events: readonly Tasks.TaskEvent[]): Tasks.TaskEvent[][] {
  const batches: Tasks.TaskEvent[][] = [];
  let batch: Tasks.TaskEvent[] = [];
  events.forEach((event, i) => {
    batch.push(event);
    const endsRequests =
      event.name === Tasks.TaskEventName.ApprovalRequested &&
      events[i + 1]?.name !== Tasks.TaskEventName.ApprovalRequested;
    if (batch.length === Tasks.MAX_EVENTS_PER_MESSAGE || endsRequests) {
      batches.push(batch);
      batch = [];
    }
  });
  if (batch.length) batches.push(batch);
  return batches;
}
