import { Webhooks } from '@switchboard/contracts';
import { CommandRelay, relay } from '@switchboard/messaging';
import { CreateWebhookUseCase } from './create-webhook/create-webhook.use-case.js';

/** The webhooks' commands that are their use case's whole work, for the acting user. */
export class WebhookRelay extends CommandRelay(
  relay(Webhooks.WebhookCreate, CreateWebhookUseCase),
) {}
