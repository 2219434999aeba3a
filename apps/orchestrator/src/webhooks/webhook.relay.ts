import { Webhooks } from '@switchboard/contracts';
import { CommandRelay, relay, relayCall } from '@switchboard/messaging';
import { CheckWebhookTargetUseCase } from './check-webhook-target/check-webhook-target.use-case.js';
import { CreateWebhookUseCase } from './create-webhook/create-webhook.use-case.js';
import { DeleteWebhookUseCase } from './delete-webhook/delete-webhook.use-case.js';
import { WebhookDeliveryRepository } from './delivery/webhook-delivery.repository.js';
import { RedeliverWebhookUseCase } from './redeliver-webhook/redeliver-webhook.use-case.js';
import { audienceOf } from '../tenancy/tenant-scope.js';
import { WebhookLookup } from './webhook-lookup.js';
import { WebhookSecretsUseCase } from './webhook-secrets/webhook-secrets.use-case.js';

/**
 * The webhooks' NATS commands (docs/webhooks.md): each is one call of its use case, of the lookup
 * or of the deliveries' repository, for the acting user. Each reads in the actor's tenant only (the platform
 * operator's: every tenant); another tenant's subscription or delivery answers as one that does not
 * exist, and the attempt is audited (WebhookLookup and the use cases).
 */
export class WebhookRelay extends CommandRelay(
  relay(Webhooks.WebhookCreate, CreateWebhookUseCase),
  relayCall(Webhooks.WebhookList, WebhookLookup, async (lookup, req, actor) => ({
    webhooks: await lookup.list(actor, req.limit),
  })),
  relayCall(Webhooks.WebhookGet, WebhookLookup, (lookup, req, actor) =>
    lookup.find(req.webhookId, actor, 'webhook.get'),
  ),
  relayCall(Webhooks.WebhookDelete, DeleteWebhookUseCase, (deleting, req, actor) =>
    deleting.execute(req.webhookId, actor),
  ),
  relayCall(Webhooks.WebhookSecretGet, WebhookSecretsUseCase, (secrets, req, actor) =>
    secrets.get(req, actor),
  ),
  relayCall(Webhooks.WebhookSecretRotate, WebhookSecretsUseCase, (secrets, req, actor) =>
    secrets.rotate(req, actor),
  ),
  relayCall(Webhooks.WebhookTargetCheck, CheckWebhookTargetUseCase, async (target, req, actor) => {
    await target.execute(req.url, 'webhook.url', actor);
    return { url: req.url };
  }),
  relayCall(Webhooks.WebhookDeliveryList, WebhookDeliveryRepository, (deliveries, req, actor) =>
    deliveries.list(req, audienceOf(actor)),
  ),
  relayCall(Webhooks.WebhookRedeliver, RedeliverWebhookUseCase, (redelivering, req, actor) =>
    redelivering.execute(req.deliveryId, actor),
  ),
) {}
