import { Injectable } from '@nestjs/common';
import type { Actor } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { WebhookDeliveryRepository } from '../delivery/webhook-delivery.repository.js';
import { webhookNotFound } from '../webhook-access.js';
import { WebhookLookup } from '../webhook-lookup.js';
import { WebhookRepository } from '../webhook.repository.js';
import { shownUrl } from '../webhook-url.js';

/**
 * Deletes a subscription (its subscriber, or an admin of its tenant): it is matched against no event
 * from now on, and its deliveries not yet sent are cancelled (`subscription-deleted`). Audited. One
 * deleted by someone else since it was found is NOT_FOUND (no refusal to audit: it was the actor's
 * to see).
 */
@Injectable()
export class DeleteWebhookUseCase {
  constructor(
    private readonly lookup: WebhookLookup,
    private readonly repository: WebhookRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(
    webhookId: string,
    actor: Actor,
  ): Promise<{ webhookId: string; cancelledDeliveries: number }> {
    const view = await this.lookup.find(webhookId, actor, 'webhook.delete');
    if (!(await this.repository.delete(webhookId))) throw webhookNotFound(webhookId);
    const cancelled = await this.deliveries.cancelOfSubscription(webhookId);
    void this.audit.record({
      category: 'webhook',
      action: 'webhook.delete',
      outcome: 'success',
      resource: webhookId,
      tenantId: view.tenantId,
      actor: { userId: actor.userId, role: actor.role },
      details: {
        webhookId,
        owner: view.userId,
        url: shownUrl(view.url),
        cancelledDeliveries: cancelled,
      },
    });
    return { webhookId, cancelledDeliveries: cancelled };
  }
}
