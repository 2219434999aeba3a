import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import type { DeliveryTrigger } from '../delivery/webhook-delivery.machine.js';
import { WEBHOOK_DELIVERY } from '../delivery/webhook-delivery.machine.js';
import type { AttemptOutcome, LeasedDelivery } from '../delivery/webhook-delivery.repository.js';
import { type AttemptResult, WebhookSender } from '../delivery/webhook-sender.js';
import { afterFailure } from '../delivery/retry-schedule.js';
import { messageIdOf, newWebhookSecret, signWebhook } from '../signing/webhook-signature.js';
import { TargetRefused, WebhookTargets } from '../target/webhook-targets.js';
import { signingSecrets, WebhookRepository } from '../webhook.repository.js';
import {
  PUSH_HEADERS,
  type PushHeaders,
  type PushHeadersSource,
} from '../delivery/push-headers.port.js';

/** One attempt, judged: what happened, the machine's trigger for it, and what to store. */
export interface AttemptReport {
  result: AttemptResult;
  trigger: Extract<DeliveryTrigger, 'succeeded' | 'failed' | 'gave-up'>;
  outcome: AttemptOutcome;
}

type Settings = Pick<OrchestratorEnv, 'WEBHOOK_RETRY_INITIAL_MS' | 'WEBHOOK_RETRY_MAX_DELAY_MS'>;

/**
 * One attempt of one delivery: the target judged again by the URL policy against what its host
 * resolves to now (a refused target is given up at once: waiting does not make it allowed), the body
 * signed with the webhook's secrets at this moment (a rotation in between counts), sent, and the
 * result turned into the delivery machine's next step: delivered, pending again after the backoff,
 * or dead when its retry window is used up.
 */
@Injectable()
export class DeliveryAttempt {
  constructor(
    private readonly targets: WebhookTargets,
    private readonly sender: WebhookSender,
    private readonly secrets: WebhookRepository,
    @Inject(APP_CONFIG) private readonly config: Settings,
    @Inject(PUSH_HEADERS) private readonly pushes: PushHeadersSource,
  ) {}

  async run(d: LeasedDelivery): Promise<AttemptReport> {
    const result = await this.attempt(d);
    const now = new Date();
    if (result.ok) return this.report(result, 'succeeded', { status: 'delivered' });
    if (result.reason === 'target_forbidden')
      return this.report(result, 'gave-up', { status: 'dead' });
    const next = afterFailure(now, d.attempts, d.giveUpAt, {
      initialMs: this.config.WEBHOOK_RETRY_INITIAL_MS,
      maxDelayMs: this.config.WEBHOOK_RETRY_MAX_DELAY_MS,
    });
    return next.retry
      ? this.report(result, 'failed', { status: 'pending', nextAttemptAt: next.at })
      : this.report(result, 'gave-up', { status: 'dead' });
  }

  private report(
    result: AttemptResult,
    trigger: AttemptReport['trigger'],
    outcome: AttemptOutcome,
  ): AttemptReport {
    // The machine's table decides; a mismatch here is a bug, never stored.
    const to = WEBHOOK_DELIVERY.next('sending', trigger);
    if (to !== outcome.status) throw new Error(`delivery outcome ${outcome.status} is not ${to}`);
    return { result, trigger, outcome };
  }

  private async attempt(d: LeasedDelivery): Promise<AttemptResult> {
    let target;
    try {
      target = await this.targets.check(d.url, 'url');
    } catch (e) {
      if (e instanceof TargetRefused && e.kind !== 'unresolvable')
        return { ok: false, reason: 'target_forbidden', message: e.reason };
      return { ok: false, reason: 'network', message: (e as Error).message };
    }
    const push = d.pushConfigId ? await this.pushes.headersOf(d.pushConfigId) : undefined;
    if (d.pushConfigId && !push)
      return {
        ok: false,
        reason: 'target_forbidden',
        message: 'the A2A push notification config was deleted',
      };
    const headers = signWebhook(
      await this.secretsOf(d),
      messageIdOf(d.id),
      Math.floor(Date.now() / 1000),
      d.body,
    );
    return this.sender.send(target, headers, d.body, push ? a2aHeaders(push) : undefined);
  }

  /** The subscription's secrets, or for a task's own webhook its submitter's task-webhook secrets. */
  private async secretsOf(d: LeasedDelivery): Promise<string[]> {
    const stored = d.subscriptionId
      ? await this.secrets.subscriptionSecret(d.subscriptionId)
      : await this.secrets.userSecret(d.tenantId, d.userId, newWebhookSecret());
    if (!stored) throw new Error(`webhook ${d.subscriptionId ?? ''} has no secret`);
    return signingSecrets(stored);
  }
}

/**
 * What an A2A push notification is sent with besides the signature: A2A's media type, the config's
 * token (`X-A2A-Notification-Token`, as the A2A SDK sends it) and `Authorization: <scheme>
 * <credentials>`.
 */
function a2aHeaders(push: PushHeaders): { contentType: string; headers: Record<string, string> } {
  return {
    contentType: push.wireVersion === '0.3' ? 'application/json' : 'application/a2a+json',
    headers: {
      ...(push.token ? { 'x-a2a-notification-token': push.token } : {}),
      ...(push.authorization ? { authorization: push.authorization } : {}),
    },
  };
}
