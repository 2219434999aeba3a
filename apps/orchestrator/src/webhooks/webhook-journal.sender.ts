import { Injectable } from '@nestjs/common';
import type { JournalDeliverySender } from '../tasks/index.js';
import { DeliverWebhooksUseCase } from './deliver-webhooks/deliver-webhooks.use-case.js';
import { EnqueueDeliveriesUseCase } from './enqueue-deliveries/enqueue-deliveries.use-case.js';

/**
 * The task journal's deliveries are counted and sent by the webhooks' sender: a committed statement
 * that stored some wakes the sender at once instead of at its next poll.
 */
@Injectable()
export class WebhookJournalSender implements JournalDeliverySender {
  constructor(
    private readonly enqueue: EnqueueDeliveriesUseCase,
    private readonly deliver: DeliverWebhooksUseCase,
  ) {}

  enqueued(count: number): void {
    this.enqueue.enqueued(count);
    if (count > 0) this.deliver.kick();
  }
}
