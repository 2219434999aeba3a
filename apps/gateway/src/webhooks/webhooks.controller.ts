import { parseOrThrow, Webhooks } from '@switchboard/contracts';
import { del, get, HttpRelay, type PathParams, post } from '../http/http-relay.js';
import {
  deliveryListRequest,
  WebhookDeliveryQuery,
  WebhookListQuery,
} from './webhook-http.schemas.js';

const webhookOf = ({ params }: { params: PathParams }) => ({
  webhookId: parseOrThrow(Webhooks.WebhookId, params['id'], 'webhook id'),
});

/**
 * Webhooks (docs/webhooks.md): users' subscriptions, signing secrets, deliveries and the dead
 * letters. The orchestrator owns them and decides who may see and change each; this carries the call.
 */
export class WebhooksController extends HttpRelay(
  'webhooks',
  // Subscribes the caller; answers the subscription with its signing secret.
  post('', Webhooks.WebhookCreate, { body: Webhooks.WebhookCreateRequest, status: 201 }),
  get('', Webhooks.WebhookList, { query: WebhookListQuery }),
  // The caller's task-webhook secret (signs the deliveries of their task requests' `webhook`).
  get('secret', Webhooks.WebhookSecretGet),
  post('secret/rotate', Webhooks.WebhookSecretRotate, { status: 200 }),
  get('deliveries', Webhooks.WebhookDeliveryList, {
    query: WebhookDeliveryQuery,
    request: ({ query }) => deliveryListRequest(query),
  }),
  post('deliveries/:id/redeliver', Webhooks.WebhookRedeliver, {
    status: 200,
    request: ({ params }) => ({
      deliveryId: parseOrThrow(Webhooks.WebhookDeliveryId, params['id'], 'delivery id'),
    }),
  }),
  get(':id', Webhooks.WebhookGet, { request: webhookOf }),
  del(':id', Webhooks.WebhookDelete, { status: 200, request: webhookOf }),
  get(':id/secret', Webhooks.WebhookSecretGet, { request: webhookOf }),
  post(':id/secret/rotate', Webhooks.WebhookSecretRotate, { status: 200, request: webhookOf }),
) {}
