import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, DomainError, tenantOf, type Webhooks } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { newWebhookSecret } from '../signing/webhook-signature.js';
import { webhookNotFound } from '../webhook-access.js';
import { WebhookLookup } from '../webhook-lookup.js';
import { type StoredSecret, WebhookRepository } from '../webhook.repository.js';

/** Which secret: a subscription's, or (none named) the actor's task-webhook secret. */
export interface SecretRequest {
  webhookId?: string | undefined;
}

/**
 * Signing secrets, for their owner only: a subscription's (its subscriber: an admin who may see it
 * is refused, a user who may not is told it does not exist), or the actor's task-webhook secret,
 * which signs the deliveries of their task requests' `webhook` and is made on first use. A rotation
 * keeps the replaced secret signing for WEBHOOK_ROTATION_GRACE_MS. Reads and rotations are audited,
 * never with a secret.
 */
@Injectable()
export class WebhookSecretsUseCase {
  constructor(
    private readonly lookup: WebhookLookup,
    private readonly repository: WebhookRepository,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: Pick<OrchestratorEnv, 'WEBHOOK_ROTATION_GRACE_MS'>,
  ) {}

  async get(req: SecretRequest, actor: Actor): Promise<Webhooks.WebhookSecret> {
    const stored = req.webhookId
      ? await this.ownedSecret(req.webhookId, actor, 'webhook.secret.read')
      : await this.repository.userSecret(tenantOf(actor), actor.userId, newWebhookSecret());
    this.record('webhook.secret.read', req, actor);
    return shown(stored);
  }

  async rotate(req: SecretRequest, actor: Actor): Promise<Webhooks.WebhookSecret> {
    const fresh = newWebhookSecret();
    const graceUntil = new Date(Date.now() + this.config.WEBHOOK_ROTATION_GRACE_MS);
    if (req.webhookId) {
      await this.ownedSecret(req.webhookId, actor, 'webhook.secret.rotate');
      await this.repository.rotateSubscriptionSecret(req.webhookId, fresh, graceUntil);
    } else {
      await this.repository.rotateUserSecret(tenantOf(actor), actor.userId, fresh, graceUntil);
    }
    this.record('webhook.secret.rotate', req, actor);
    const stored = req.webhookId
      ? await this.repository.subscriptionSecret(req.webhookId)
      : await this.repository.userSecret(tenantOf(actor), actor.userId, fresh);
    if (!stored) throw webhookNotFound(req.webhookId ?? '');
    return shown(stored);
  }

  private async ownedSecret(
    webhookId: string,
    actor: Actor,
    action: string,
  ): Promise<StoredSecret> {
    const view = await this.lookup.find(webhookId, actor, action);
    // Seeing it (an admin, the platform operator) is not having it: only its subscriber does, and
    // the same user id in another tenant is someone else.
    if (view.userId !== actor.userId || view.tenantId !== tenantOf(actor))
      throw new DomainError(
        'FORBIDDEN',
        `only its subscriber (${view.userId}) may have its secret`,
      );
    const stored = await this.repository.subscriptionSecret(webhookId);
    if (!stored) throw webhookNotFound(webhookId);
    return stored;
  }

  private record(action: string, req: SecretRequest, actor: Actor): void {
    void this.audit.record({
      category: 'webhook',
      action,
      outcome: 'success',
      resource: req.webhookId ?? `task-webhooks:${actor.userId}`,
      actor: { userId: actor.userId, role: actor.role },
      details: req.webhookId ? { webhookId: req.webhookId } : { signs: 'task webhooks' },
    });
  }
}

function shown(s: StoredSecret, now = new Date()): Webhooks.WebhookSecret {
  const grace = s.previousSecret && s.previousSecretUntil && s.previousSecretUntil > now;
  return {
    secret: s.secret,
    ...(grace && s.previousSecretUntil
      ? { previousValidUntil: s.previousSecretUntil.toISOString() }
      : {}),
  };
}
