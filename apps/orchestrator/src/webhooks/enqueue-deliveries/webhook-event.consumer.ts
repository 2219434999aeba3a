import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TaskEventStream, Tasks, tenantOf } from '@switchboard/contracts';
import { type ConsumerHandle, JetStreamService } from '@switchboard/messaging';
import { ReadinessRegistry } from '@switchboard/observability';
import { DeliverWebhooksUseCase } from '../deliver-webhooks/deliver-webhooks.use-case.js';
import { EnqueueDeliveriesUseCase } from './enqueue-deliveries.use-case.js';

/** The durable's name: one for all replicas, which share its messages. */
export const WEBHOOK_DURABLE = 'orchestrator-webhooks';

/**
 * Reads every task event from the task event stream (the orchestrator's own durable, next to the
 * gateway's feeds and the audit service's task logs) and stores the deliveries it calls for; a batch
 * is acked once they are committed, so a crash in between only redelivers it (and the deliveries'
 * keys make that harmless). The durable starts at the events published after it was first created:
 * the history of the days before webhooks existed calls for none.
 */
@Injectable()
export class WebhookEventConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly enqueue: EnqueueDeliveriesUseCase,
    private readonly deliver: DeliverWebhooksUseCase,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStreams([TaskEventStream]);
    this.handle = await this.jetstream.consumeDurableBatch({
      contract: Tasks.TaskEventPublished,
      durable: WEBHOOK_DURABLE,
      deliverPolicy: 'new',
      maxBatch: 64,
      lingerMs: 10,
      ackWaitMs: 30_000,
      // A database outage is waited out for over an hour before a batch is dead-lettered.
      maxDeliver: 100,
      retryDelaysMs: [1_000, 5_000, 15_000, 30_000, 60_000],
      handleBatch: async (items) => {
        const stored = await this.enqueue.execute(
          items.map(({ payload, meta }) => ({
            taskId: payload.taskId,
            events: Tasks.eventsOf(payload),
            tenantId: meta.actor ? tenantOf(meta.actor) : tenantOfSubject(meta.subject),
            userId: meta.actor?.userId,
          })),
        );
        if (stored > 0) this.deliver.kick();
      },
    });
    this.readiness.register('webhook-event-consumer', async () => {
      if (!this.handle) throw new Error('webhook event consumer not running');
      await this.handle.check();
    });
  }
}

/** The tenant token of `sb.evt.task.<taskId>.<tenantId>.<event…>`. */
function tenantOfSubject(subject: string): string | undefined {
  return subject.split('.')[4];
}
