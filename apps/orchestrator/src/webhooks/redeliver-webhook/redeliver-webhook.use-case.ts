import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, DomainError, type Webhooks } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { DeliverWebhooksUseCase } from '../deliver-webhooks/deliver-webhooks.use-case.js';
import { WEBHOOK_DELIVERY } from '../delivery/webhook-delivery.machine.js';
import { WebhookDeliveryRepository } from '../delivery/webhook-delivery.repository.js';
import { DeliveryLookup } from '../delivery-lookup.js';
import { WebhookRepository } from '../webhook.repository.js';

/**
 * Sends a dead delivery again (`redelivered`): the same webhook-id and body, signed anew, with a new
 * retry window of WEBHOOK_RETRY_FOR_MS. Its owner or an admin of its tenant; CONFLICT when it is not
 * dead (of two redeliveries one wins) or its subscription was deleted since. Audited.
 */
@Injectable()
export class RedeliverWebhookUseCase {
  constructor(
    private readonly lookup: DeliveryLookup,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly subscriptions: WebhookRepository,
    private readonly sender: DeliverWebhooksUseCase,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: Pick<OrchestratorEnv, 'WEBHOOK_RETRY_FOR_MS'>,
  ) {}

  async execute(deliveryId: string, actor: Actor): Promise<Webhooks.WebhookDeliveryView> {
    const found = await this.lookup.find(deliveryId, actor, 'webhook.redeliver');
    if (!WEBHOOK_DELIVERY.target(found.status, 'redelivered'))
      throw new DomainError(
        'CONFLICT',
        `webhook delivery ${deliveryId} is ${found.status}, not dead`,
      );
    if (found.webhookId && !(await this.subscriptions.get(found.webhookId, found.tenantId)))
      throw new DomainError(
        'CONFLICT',
        `webhook delivery ${deliveryId} cannot be sent again: its webhook ${found.webhookId} was deleted`,
      );
    const giveUpAt = new Date(Date.now() + this.config.WEBHOOK_RETRY_FOR_MS);
    const view = await this.deliveries.redeliver(deliveryId, giveUpAt);
    if (!view)
      throw new DomainError('CONFLICT', `webhook delivery ${deliveryId} is not dead any more`);
    void this.audit.record({
      category: 'webhook',
      action: 'webhook.redeliver',
      outcome: 'success',
      resource: deliveryId,
      taskId: view.taskId,
      tenantId: view.tenantId,
      actor: { userId: actor.userId, role: actor.role },
      details: {
        messageId: view.messageId,
        owner: view.userId,
        event: view.event,
        ...(view.webhookId ? { webhookId: view.webhookId } : {}),
      },
    });
    this.sender.kick();
    return view;
  }
}
