import { Injectable } from '@nestjs/common';
import type { Actor } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { type CheckedTarget, TargetRefused, WebhookTargets } from '../target/webhook-targets.js';
import { WebhookMetrics } from '../webhook.metrics.js';
import { shownUrl } from '../webhook-url.js';

/**
 * The URL policy on registration: a subscription's URL, or a task request's webhook (asked by the
 * gateway before it accepts the task). A refusal names the request's field and the reason, and is
 * metered and audited (`webhook.target`, denied) in the actor's tenant.
 */
@Injectable()
export class CheckWebhookTargetUseCase {
  constructor(
    private readonly targets: WebhookTargets,
    private readonly metrics: WebhookMetrics,
    private readonly audit: AuditTrail,
  ) {}

  async execute(url: string, field: string, actor: Actor): Promise<CheckedTarget> {
    try {
      return await this.targets.check(url, field);
    } catch (e) {
      if (e instanceof TargetRefused) {
        this.metrics.refusedTargets.inc({ where: 'registration', refusal: e.kind });
        void this.audit.record({
          category: 'webhook',
          action: 'webhook.target',
          outcome: 'denied',
          resource: shownUrl(url),
          actor: { userId: actor.userId, role: actor.role },
          details: { field, refusal: e.kind, reason: e.reason },
        });
      }
      throw e;
    }
  }
}
