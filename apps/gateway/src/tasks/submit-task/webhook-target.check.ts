import { Injectable } from '@nestjs/common';
import { type Actor, type Tasks, Webhooks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';

/**
 * A task request's `webhook` is checked before the task is accepted, whichever surface it came
 * from: the orchestrator, which calls webhooks, judges the URL with its URL policy and the addresses
 * its host resolves to (one setting, in one service), and a refusal is the request's error —
 * VALIDATION naming `webhook.url` and the reason (400 over HTTP) — before any task exists.
 */
@Injectable()
export class WebhookTargetCheck {
  constructor(private readonly bus: NatsBus) {}

  async check(request: Tasks.TaskRequest, actor: Actor): Promise<void> {
    if (!request.webhook) return;
    await this.bus.request(Webhooks.WebhookTargetCheck, { url: request.webhook.url }, { actor });
  }
}
