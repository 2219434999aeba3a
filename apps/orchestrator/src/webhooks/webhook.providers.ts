import type { Provider } from '@nestjs/common';
import { CheckWebhookTargetUseCase } from './check-webhook-target/check-webhook-target.use-case.js';
import { CreateWebhookUseCase } from './create-webhook/create-webhook.use-case.js';
import { DeleteWebhookUseCase } from './delete-webhook/delete-webhook.use-case.js';
import { DeliverWebhooksUseCase } from './deliver-webhooks/deliver-webhooks.use-case.js';
import { DeliveryAttempt } from './deliver-webhooks/delivery-attempt.js';
import { DeliveryLookup } from './delivery-lookup.js';
import { WebhookDeliveryRepository } from './delivery/webhook-delivery.repository.js';
import { WebhookSender } from './delivery/webhook-sender.js';
import { EnqueueDeliveriesUseCase } from './enqueue-deliveries/enqueue-deliveries.use-case.js';
import { RedeliverWebhookUseCase } from './redeliver-webhook/redeliver-webhook.use-case.js';
import { HOST_LOOKUP, systemLookup, WebhookTargets } from './target/webhook-targets.js';
import { WebhookMetrics } from './webhook.metrics.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhookJournalSender } from './webhook-journal.sender.js';
import { WebhookLookup } from './webhook-lookup.js';
import { WebhookSecretsUseCase } from './webhook-secrets/webhook-secrets.use-case.js';

/** Everything of webhooks (docs/webhooks.md): WebhooksModule's providers. */
export const webhookProviders: Provider[] = [
  { provide: HOST_LOOKUP, useValue: systemLookup },
  CheckWebhookTargetUseCase,
  CreateWebhookUseCase,
  DeleteWebhookUseCase,
  DeliverWebhooksUseCase,
  DeliveryAttempt,
  DeliveryLookup,
  EnqueueDeliveriesUseCase,
  RedeliverWebhookUseCase,
  WebhookDeliveryRepository,
  WebhookMetrics,
  WebhookRepository,
  WebhookSecretsUseCase,
  WebhookSender,
  WebhookTargets,
  WebhookJournalSender,
  WebhookLookup,
];
