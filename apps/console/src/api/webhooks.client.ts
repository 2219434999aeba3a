import type { Webhooks } from '@switchboard/contracts';
import type { Api } from './http.client';
import type {
  DeliveryStatus,
  WebhookCreated,
  WebhookDeliveryView,
  WebhookView,
} from '../model/webhooks';

/** The subscriptions the user sees (`GET /webhooks`: their own; an admin's: the tenant's). */
export async function listWebhooks(api: Api, signal?: AbortSignal): Promise<WebhookView[]> {
  return (await api.get<{ webhooks: WebhookView[] }>('webhooks', { limit: 500 }, signal)).webhooks;
}

/** Subscribes (`POST /webhooks`); the answer holds the secret, shown once. */
export function createWebhook(
  api: Api,
  body: Webhooks.WebhookCreateInput,
): Promise<WebhookCreated> {
  return api.post<WebhookCreated>('webhooks', body);
}

export function deleteWebhook(api: Api, webhookId: string): Promise<unknown> {
  return api.delete(`webhooks/${encodeURIComponent(webhookId)}`);
}

/** The user's task-webhook secret (`GET /webhooks/secret`). */
export async function taskWebhookSecret(api: Api): Promise<string> {
  return (await api.get<Webhooks.WebhookSecret>('webhooks/secret')).secret;
}

/** Deliveries of a status (all when absent), newest first (`GET /webhooks/deliveries`). */
export async function listDeliveries(
  api: Api,
  status: DeliveryStatus | undefined,
  signal?: AbortSignal,
): Promise<WebhookDeliveryView[]> {
  const page = await api.get<{ deliveries: WebhookDeliveryView[] }>(
    'webhooks/deliveries',
    { status, limit: 200 },
    signal,
  );
  return page.deliveries;
}

/** Sends a dead delivery again (`POST /webhooks/deliveries/{id}/redeliver`). */
export function redeliver(api: Api, deliveryId: string): Promise<WebhookDeliveryView> {
  return api.post<WebhookDeliveryView>(
    `webhooks/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
  );
}
