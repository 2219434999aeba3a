import type { Tasks } from '@switchboard/contracts';
import type { Prisma } from '../../generated/prisma/client.js';

/** Events of one task journaled together, with what its run knows of the task. */
export interface JournaledEvents {
  taskId: string;
  events: readonly Tasks.TaskEvent[];
  /** The task's tenant and submitter (its row's are read for what is not given). */
  tenantId?: string | undefined;
  userId?: string | undefined;
  /** The task's own webhook (its request's `webhook`). */
  webhook?: unknown;
  /** Where the events were journaled (a traceparent): their deliveries continue the task's trace. */
  traceparent?: string;
}

/**
 * A port of the task core: a feature that stores the deliveries a task's journaled events make due
 * (the platform's webhooks, A2A push notifications) in the very statement that journals them, so a
 * delivery is due exactly when its event is committed. Features plug in here (app.module composes
 * them); the journal imports none of them.
 */
export interface JournalDeliverySink {
  /**
   * An INSERT … RETURNING 1 (a row per new delivery) for a common table expression of the journaling
   * statement, storing nothing unless `gate` (one of that statement's expressions) has a row; or
   * undefined when these events make nothing due for this feature.
   */
  statement(item: JournaledEvents, gate: string | undefined, now: Date): Prisma.Sql | undefined;
}

/** Who sends the deliveries the sinks stored (every sink stores webhook deliveries). */
export interface JournalDeliverySender {
  /** A committed statement stored `count` new deliveries (0: none). */
  enqueued(count: number): void;
}

export const JOURNAL_DELIVERY_SINKS = Symbol('JOURNAL_DELIVERY_SINKS');
export const JOURNAL_DELIVERY_SENDER = Symbol('JOURNAL_DELIVERY_SENDER');
