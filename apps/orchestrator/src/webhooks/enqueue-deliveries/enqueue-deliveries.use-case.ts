import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Tasks, Webhooks } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import {
  type NewDelivery,
  WebhookDeliveryRepository,
} from '../delivery/webhook-delivery.repository.js';
import { WebhookMetrics } from '../webhook.metrics.js';
import { type LiveSubscription, WebhookRepository } from '../webhook.repository.js';
import { type WebhookTask, WebhookTaskDirectory } from './webhook-task.directory.js';

/** The events of one stored message of a task, with what its headers and subject said. */
export interface TaskEventsItem {
  taskId: string;
  events: readonly Tasks.TaskEvent[];
  /** The tenant and submitter the message was published in the name of (for a task with no row). */
  tenantId?: string | undefined;
  userId?: string | undefined;
}

/** Someone who wants deliveries of a task's events: a subscription, or the task's own webhook. */
interface Listener {
  key: string;
  subscriptionId?: string;
  userId: string;
  url: string;
  events: readonly Webhooks.WebhookEventKind[];
}

type Settings = Pick<OrchestratorEnv, 'WEBHOOK_RETRY_FOR_MS'>;

/**
 * Turns task events into deliveries: for each event, one per webhook that wants it — the task's own
 * (its request's `webhook`, signed with its submitter's secret) and each live subscription of the
 * task's tenant that hears the task (its submitter's, or a tenant-wide one). Stored by the key of the
 * webhook and the event (taskId, seq), so an event consumed twice — redelivered, or by two replicas
 * — is enqueued once. Returns how many deliveries were new.
 */
@Injectable()
export class EnqueueDeliveriesUseCase {
  constructor(
    private readonly tasks: WebhookTaskDirectory,
    private readonly subscriptions: WebhookRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly metrics: WebhookMetrics,
    @Inject(APP_CONFIG) private readonly config: Settings,
  ) {}

  async execute(items: readonly TaskEventsItem[], now = new Date()): Promise<number> {
    const known = await this.tasks.of(items.map((i) => i.taskId));
    const owners = new Map<string, WebhookTask>();
    for (const item of items) {
      const task = known.get(item.taskId) ?? fromHeaders(item);
      if (task) owners.set(item.taskId, task);
    }
    const tenants = [...new Set([...owners.values()].map((t) => t.tenantId))];
    const live = await this.subscriptions.live(tenants);
    const giveUpAt = new Date(now.getTime() + this.config.WEBHOOK_RETRY_FOR_MS);
    const rows: NewDelivery[] = [];
    for (const item of items) {
      const task = owners.get(item.taskId);
      if (!task) continue;
      const listeners = listenersOf(item.taskId, task, live);
      if (listeners.length === 0) continue;
      for (const event of item.events)
        for (const l of listeners)
          if (Webhooks.webhookWants(l.events, event.name))
            rows.push(deliveryOf(item.taskId, task, l, event, giveUpAt));
    }
    const stored = await this.deliveries.enqueue(rows, now);
    if (stored > 0) this.metrics.enqueued.inc(stored);
    return stored;
  }
}

/** A task with no row (its submission was refused before it was stored): who its messages named. */
function fromHeaders(item: TaskEventsItem): WebhookTask | undefined {
  return item.tenantId && item.userId
    ? { tenantId: item.tenantId, userId: item.userId }
    : undefined;
}

function listenersOf(taskId: string, task: WebhookTask, live: LiveSubscription[]): Listener[] {
  const listeners: Listener[] = live
    .filter(
      (s) => s.tenantId === task.tenantId && (s.scope === 'tenant' || s.userId === task.userId),
    )
    .map((s) => ({
      key: `sub:${s.id}`,
      subscriptionId: s.id,
      userId: s.userId,
      url: s.url,
      events: s.events,
    }));
  if (task.webhook)
    listeners.push({
      key: 'task',
      userId: task.userId,
      url: task.webhook.url,
      events: task.webhook.events,
    });
  return listeners;
}

function deliveryOf(
  taskId: string,
  task: WebhookTask,
  l: Listener,
  event: Tasks.TaskEvent,
  giveUpAt: Date,
): NewDelivery {
  const payload: Webhooks.WebhookPayload = {
    type: event.name,
    timestamp: event.at,
    data: {
      taskId,
      tenantId: task.tenantId,
      userId: task.userId,
      ...(l.subscriptionId ? { webhookId: l.subscriptionId } : {}),
      event,
    },
  };
  return {
    id: randomUUID(),
    dedupeKey: `${l.key}:${taskId}:${event.seq}`,
    tenantId: task.tenantId,
    userId: l.userId,
    ...(l.subscriptionId ? { subscriptionId: l.subscriptionId } : {}),
    taskId,
    seq: event.seq,
    event: event.name,
    url: l.url,
    body: JSON.stringify(payload),
    giveUpAt,
  };
}
