import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Tasks, Webhooks } from '@switchboard/contracts';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { Prisma } from '../../generated/prisma/client.js';
import {
  type EventToMatch,
  matchingInsert,
  WebhookDeliveryRepository,
} from '../delivery/webhook-delivery.repository.js';
import type { JournalDeliverySink, JournaledEvents } from '../../tasks/index.js';
import { WebhookMetrics } from '../webhook.metrics.js';

/** Events of one task journaled together (the task core's journal-delivery port). */
export type TaskEventsItem = JournaledEvents;

type Settings = Pick<OrchestratorEnv, 'WEBHOOK_RETRY_FOR_MS'>;

/** The webhook kinds that want each event name (a handful of names: worked out once each). */
const KINDS = new Map<string, Webhooks.WebhookEventKind[]>();
function kindsOf(name: string): Webhooks.WebhookEventKind[] {
  let kinds = KINDS.get(name);
  if (!kinds) {
    kinds = Webhooks.WebhookEventKind.options.filter((k) => Webhooks.webhookWants([k], name));
    if (KINDS.size < 1_000) KINDS.set(name, kinds);
  }
  return kinds;
}

/**
 * Turns task events into deliveries: for each event, one per webhook that wants it — the task's own
 * (its request's `webhook`, signed with its submitter's secret) and each live subscription of the
 * task's tenant that hears the task (its submitter's, or a tenant-wide one). Matched and stored in
 * one statement (WebhookDeliveryRepository.enqueueMatching) by the key of the webhook and the event
 * (taskId, seq), so an event journaled twice is enqueued once. The task journal runs the statement
 * in the transaction that journals the events (`statement`): a delivery is due exactly when its
 * event is committed (docs/webhooks.md).
 */
@Injectable()
export class EnqueueDeliveriesUseCase implements JournalDeliverySink {
  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly metrics: WebhookMetrics,
    @Inject(APP_CONFIG) private readonly config: Settings,
  ) {}

  /**
   * The INSERT (RETURNING a row per new delivery) storing the deliveries `item`'s events make due, as
   * a common table expression of the statement that journals them; nothing unless the enclosing
   * statement's `gate` has a row.
   */
  statement(item: TaskEventsItem, gate?: string, now = new Date()): Prisma.Sql {
    const giveUpAt = new Date(now.getTime() + this.config.WEBHOOK_RETRY_FOR_MS);
    const events = item.events.map((event) => toMatch(item, event));
    return Prisma.sql`${matchingInsert(events, giveUpAt, now, gate)} RETURNING 1`;
  }

  /** Counts deliveries a committed statement stored. */
  enqueued(stored: number): void {
    if (stored > 0) this.metrics.enqueued.inc(stored);
  }

  /** Stores the deliveries of `items` in a statement of their own; how many were new. */
  async execute(items: readonly TaskEventsItem[], now = new Date()): Promise<number> {
    const events = new Map<string, EventToMatch>(); // by task and seq: a message consumed twice
    for (const item of items)
      for (const event of item.events)
        events.set(`${item.taskId}:${event.seq}`, toMatch(item, event));
    const giveUpAt = new Date(now.getTime() + this.config.WEBHOOK_RETRY_FOR_MS);
    const stored = await this.deliveries.enqueueMatching([...events.values()], giveUpAt, now);
    if (stored > 0) this.metrics.enqueued.inc(stored);
    return stored;
  }
}

/**
 * The event as the statement matches it, its body (Webhooks.WebhookPayload) written around what the
 * task's row says: `{type, timestamp, data: {taskId, tenantId, userId, webhookId?, event}}`.
 */
function toMatch(item: TaskEventsItem, event: Tasks.TaskEvent): EventToMatch {
  const head = `{"type":${JSON.stringify(event.name)},"timestamp":${JSON.stringify(event.at)},"data":{"taskId":${JSON.stringify(item.taskId)}`;
  return {
    taskId: item.taskId,
    seq: event.seq,
    name: event.name,
    kinds: kindsOf(event.name),
    tenantId: item.tenantId,
    userId: item.userId,
    ...(item.webhook !== undefined ? { webhook: item.webhook } : {}),
    head,
    tail: `,"event":${JSON.stringify(event)}}}`,
    ...(item.traceparent ? { traceparent: item.traceparent } : {}),
  };
}
