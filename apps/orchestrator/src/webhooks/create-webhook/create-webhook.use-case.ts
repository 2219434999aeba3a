import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, isAdmin, tenantOf, Webhooks } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import { CheckWebhookTargetUseCase } from '../check-webhook-target/check-webhook-target.use-case.js';
import { newWebhookSecret } from '../signing/webhook-signature.js';
import { WebhookRepository } from '../webhook.repository.js';
import { shownUrl } from '../webhook-url.js';

/**
 * A user's standing subscription: its URL must pass the URL policy now (and does again before each
 * delivery); scope `tenant` (every task of the tenant) is for admins. Answers it with its new signing
 * secret. Audited, without the secret. It hears the events journaled from then on (their deliveries are
 * stored by the statement that journals them).
 */
@Injectable()
export class CreateWebhookUseCase {
  constructor(
    private readonly target: CheckWebhookTargetUseCase,
    private readonly repository: WebhookRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(
    req: Webhooks.WebhookCreateRequest,
    actor: Actor,
  ): Promise<Webhooks.WebhookCreated> {
    if (req.scope === 'tenant' && !isAdmin(actor))
      throw new DomainError(
        'FORBIDDEN',
        'scope: "tenant" (every task of the tenant) is for admins; subscribe to your own tasks with "own"',
        { details: { issues: [{ path: 'scope', message: 'is for admins only' }] } },
      );
    await this.target.execute(req.url, 'url', actor);
    const secret = newWebhookSecret();
    const view = await this.repository.create({
      id: randomUUID(),
      tenantId: tenantOf(actor),
      userId: actor.userId,
      url: req.url,
      events: req.events,
      scope: req.scope,
      description: req.description,
      secret,
    });
    void this.audit.record({
      category: 'webhook',
      action: 'webhook.create',
      outcome: 'success',
      resource: view.webhookId,
      actor: { userId: actor.userId, role: actor.role },
      details: {
        webhookId: view.webhookId,
        url: shownUrl(view.url),
        events: view.events,
        scope: view.scope,
      },
    });
    return { ...view, secret };
  }
}
