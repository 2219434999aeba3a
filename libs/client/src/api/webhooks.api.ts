import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type {
  WebhookCreated,
  WebhookDeleted,
  WebhookDeliveryStatus,
  WebhookDeliveryView,
  WebhookRequest,
  WebhookSecret,
  WebhookView,
} from '../wire.js';

/** `GET /webhooks/deliveries`' filters. */
export interface DeliveryQuery {
  /** `dead`: the dead letters. */
  status?: WebhookDeliveryStatus;
  webhook_id?: string;
  task_id?: string;
  /** Paging: a page's `nextBefore`. */
  before?: string;
  limit?: number;
}

/** Webhooks (docs/webhooks.md): subscriptions, their secrets, deliveries and dead letters. */
export class WebhooksApi {
  constructor(private readonly transport: Transport) {}

  /** Subscribes (`url`, `events`, `scope`, `description`); the answer holds the secret, shown once. */
  create(request: WebhookRequest, options: CallOptions = {}): Promise<WebhookCreated> {
    return this.transport.send('POST', 'webhooks', options, { body: request });
  }

  /** The caller's subscriptions (an admin's: the tenant's). */
  list(
    query: { limit?: number } = {},
    options: CallOptions = {},
  ): Promise<{ webhooks: WebhookView[] }> {
    return this.transport.send('GET', 'webhooks', options, { query: { ...query } });
  }

  get(webhookId: string, options: CallOptions = {}): Promise<WebhookView> {
    return this.transport.send('GET', pathOf`webhooks/${webhookId}`, options);
  }

  /** Deletes a subscription; its deliveries not sent yet are cancelled. */
  delete(webhookId: string, options: CallOptions = {}): Promise<WebhookDeleted> {
    return this.transport.send('DELETE', pathOf`webhooks/${webhookId}`, options);
  }

  /** A subscription's signing secret (its subscriber). */
  secret(webhookId: string, options: CallOptions = {}): Promise<WebhookSecret> {
    return this.transport.send('GET', pathOf`webhooks/${webhookId}/secret`, options);
  }

  /** A new signing secret for a subscription. Sent once. */
  rotateSecret(webhookId: string, options: CallOptions = {}): Promise<WebhookSecret> {
    return this.transport.send('POST', pathOf`webhooks/${webhookId}/secret/rotate`, options);
  }

  /** The caller's task-webhook secret (what signs a task request's own `webhook`). */
  taskSecret(options: CallOptions = {}): Promise<WebhookSecret> {
    return this.transport.send('GET', 'webhooks/secret', options);
  }

  /** A new task-webhook secret. Sent once. */
  rotateTaskSecret(options: CallOptions = {}): Promise<WebhookSecret> {
    return this.transport.send('POST', 'webhooks/secret/rotate', options);
  }

  /** Deliveries, newest first. */
  deliveries(
    query: DeliveryQuery = {},
    options: CallOptions = {},
  ): Promise<{ deliveries: WebhookDeliveryView[]; nextBefore?: string }> {
    return this.transport.send('GET', 'webhooks/deliveries', options, { query: { ...query } });
  }

  /** Sends a dead delivery again (its owner or an admin; 409 when it is not dead). Sent once. */
  redeliver(deliveryId: string, options: CallOptions = {}): Promise<WebhookDeliveryView> {
    return this.transport.send(
      'POST',
      pathOf`webhooks/deliveries/${deliveryId}/redeliver`,
      options,
    );
  }
}
