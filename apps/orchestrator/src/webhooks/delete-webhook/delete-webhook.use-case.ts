import { Injectable } from '@nestjs/common';
import type { Actor } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { TenantRefusals } from '../../tenancy/tenant-refusals.js';
import { WebhookDeliveryRepository } from '../delivery/webhook-delivery.repository.js';
import { audienceOf } from '../../tenancy/tenant-scope.js';
import { webhookNotFound } from '../webhook-access.js';
import { WebhookRepository } from '../webhook.repository.js';
import { shownUrl } from '../webhook-url.js';

/**
 * Deletes a subscription (its subscriber, or an admin of its tenant): it is matched against no event
 * from now on, and its deliveries not yet sent are cancelled (`subscription-deleted`). Audited.
 */
@Injectable()
export class DeleteWebhookUseCase {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly refusals: TenantRefusals,
    private readonly audit: AuditTrail,
  ) {}

  async execute(
    webhookId: string,
    actor: Actor,
  ): Promise<{ webhookId: string; cancelledDeliveries: number }> {
    const who = audienceOf(actor);
    const view = await this.repository.get(webhookId, who.scope);
    if (
      !view ||
      (who.userId && view.userId !== who.userId) ||
      !(await this.repository.delete(webhookId))
    ) {
      void this.refusals.ifElsewhere(actor, () => this.repository.tenantOf(webhookId), {
        category: 'webhook',
        action: 'webhook.delete',
        resource: webhookId,
      });
      throw webhookNotFound(webhookId);
    }
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
