import type { Provider } from '@nestjs/common';
import { JOURNAL_DELIVERY_SENDER } from '../tasks/journal/journal-delivery.port.js';
import { CheckWebhookTargetUseCase } from './check-webhook-target/check-webhook-target.use-case.js';
import { CreateWebhookUseCase } from './create-webhook/create-webhook.use-case.js';
import { DeleteWebhookUseCase } from './delete-webhook/delete-webhook.use-case.js';
import { DeliverWebhooksUseCase } from './deliver-webhooks/deliver-webhooks.use-case.js';
import { DeliveryAttempt } from './deliver-webhooks/delivery-attempt.js';
import { WebhookDeliveryRepository } from './delivery/webhook-delivery.repository.js';
import { WebhookSender } from './delivery/webhook-sender.js';
import { EnqueueDeliveriesUseCase } from './enqueue-deliveries/enqueue-deliveries.use-case.js';
import { RedeliverWebhookUseCase } from './redeliver-webhook/redeliver-webhook.use-case.js';
import { HOST_LOOKUP, systemLookup, WebhookTargets } from './target/webhook-targets.js';
import { WebhookMetrics } from './webhook.metrics.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhookSecretsUseCase } from './webhook-secrets/webhook-secrets.use-case.js';

/** Everything of webhooks (docs/webhooks.md) the orchestrator's module provides. */
export const webhookProviders: Provider[] = [
  { provide: HOST_LOOKUP, useValue: systemLookup },
  CheckWebhookTargetUseCase,
  CreateWebhookUseCase,
  DeleteWebhookUseCase,
  DeliverWebhooksUseCase,
  DeliveryAttempt,
  EnqueueDeliveriesUseCase,
  // The task journal's deliveries are counted and sent by the webhooks' sender.
  {
    provide: JOURNAL_DELIVERY_SENDER,
    useFactory: (enqueue: EnqueueDeliveriesUseCase, deliver: DeliverWebhooksUseCase) => ({
      enqueued: (count: number) => {
        enqueue.enqueued(count);
        if (count > 0) deliver.kick();
      },
    }),
    inject: [EnqueueDeliveriesUseCase, DeliverWebhooksUseCase],
  },
  RedeliverWebhookUseCase,
  WebhookDeliveryRepository,
  WebhookMetrics,
  WebhookRepository,
  WebhookSecretsUseCase,
  WebhookSender,
  WebhookTargets,
];
