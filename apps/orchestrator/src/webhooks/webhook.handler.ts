import { Controller } from '@nestjs/common';
import { Webhooks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { CheckWebhookTargetUseCase } from './check-webhook-target/check-webhook-target.use-case.js';
import { DeleteWebhookUseCase } from './delete-webhook/delete-webhook.use-case.js';
import { WebhookDeliveryRepository } from './delivery/webhook-delivery.repository.js';
import { RedeliverWebhookUseCase } from './redeliver-webhook/redeliver-webhook.use-case.js';
import { audienceOf, webhookNotFound } from './webhook-access.js';
import { WebhookSecretsUseCase } from './webhook-secrets/webhook-secrets.use-case.js';
import { WebhookRepository } from './webhook.repository.js';

/**
 * The webhooks' NATS commands (docs/webhooks.md; create: WebhookRelay). Each reads in the actor's
 * tenant only (the platform operator's: every tenant); another tenant's subscription or delivery
 * answers as one that does not exist, and the attempt is audited.
 */
@Controller()
export class WebhookHandler {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly refusals: TenantRefusals,
    private readonly deleting: DeleteWebhookUseCase,
    private readonly secrets: WebhookSecretsUseCase,
    private readonly redelivering: RedeliverWebhookUseCase,
    private readonly target: CheckWebhookTargetUseCase,
  ) {}

  @HandleCommand(Webhooks.WebhookList)
  async list(
    req: { limit: number },
    meta: MessageMeta,
  ): Promise<{ webhooks: Webhooks.WebhookView[] }> {
    const who = audienceOf(requireActor(meta.actor));
    return { webhooks: await this.repository.list(who.scope, who.userId, req.limit) };
  }

  @HandleCommand(Webhooks.WebhookGet)
  async get(req: { webhookId: string }, meta: MessageMeta): Promise<Webhooks.WebhookView> {
    const actor = requireActor(meta.actor);
    const who = audienceOf(actor);
    const view = await this.repository.get(req.webhookId, who.scope);
    if (view && (!who.userId || view.userId === who.userId)) return view;
    void this.refusals.ifElsewhere(
      actor,
      () => this.repository.tenantOfSubscription(req.webhookId),
      {
        category: 'webhook',
        action: 'webhook.get',
        resource: req.webhookId,
      },
    );
    throw webhookNotFound(req.webhookId);
  }

  @HandleCommand(Webhooks.WebhookDelete)
  delete(
    req: { webhookId: string },
    meta: MessageMeta,
  ): Promise<{ webhookId: string; cancelledDeliveries: number }> {
    return this.deleting.execute(req.webhookId, requireActor(meta.actor));
  }

  @HandleCommand(Webhooks.WebhookSecretGet)
  secret(req: { webhookId?: string }, meta: MessageMeta): Promise<Webhooks.WebhookSecret> {
    return this.secrets.get(req, requireActor(meta.actor));
  }

  @HandleCommand(Webhooks.WebhookSecretRotate)
  rotate(req: { webhookId?: string }, meta: MessageMeta): Promise<Webhooks.WebhookSecret> {
    return this.secrets.rotate(req, requireActor(meta.actor));
  }

  @HandleCommand(Webhooks.WebhookTargetCheck)
  async check(req: { url: string }, meta: MessageMeta): Promise<{ url: string }> {
    await this.target.execute(req.url, 'webhook.url', requireActor(meta.actor));
    return { url: req.url };
  }

  @HandleCommand(Webhooks.WebhookDeliveryList)
  deliveriesOf(
    req: Webhooks.WebhookDeliveryListRequest,
    meta: MessageMeta,
  ): Promise<{ deliveries: Webhooks.WebhookDeliveryView[]; nextBefore?: string }> {
    return this.deliveries.list(req, audienceOf(requireActor(meta.actor)));
  }

  @HandleCommand(Webhooks.WebhookRedeliver)
  redeliver(req: { deliveryId: string }, meta: MessageMeta): Promise<Webhooks.WebhookDeliveryView> {
    return this.redelivering.execute(req.deliveryId, requireActor(meta.actor));
  }
}
