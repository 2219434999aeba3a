import { Gateway, Webhooks } from '@switchboard/contracts';
import { z } from 'zod';
import { WebhookDeliveryQuery, WebhookListQuery } from '../webhooks/webhook-http.schemas.js';
import { created, listOf, ok, requiredBody, serviceErrors } from './openapi.operation-builders.js';
import type { UntaggedOperation } from './openapi.operation.js';

const webhookId = {
  id: { schema: Webhooks.WebhookId, description: 'The subscription id (UUID).' },
};
const SEE = 'See docs/webhooks.md.';

/** Webhooks: subscriptions, signing secrets, deliveries and dead letters (docs/webhooks.md). */
export const WEBHOOK_OPERATIONS: UntaggedOperation[] = [
  {
    method: 'post',
    path: '/webhooks',
    summary: 'Subscribe a URL to events of your tasks',
    description: `A standing subscription: \`events\` \`ended\` (completed, failed, cancelled; the default), \`approval.requested\`, or \`*\` (every event) of the caller's tasks — or, with \`scope: tenant\` (admins), of every task of their tenant. The URL must pass the URL policy (400 naming \`url\` and the reason). The answer holds the subscription's signing secret (\`whsec_…\`). ${SEE}`,
    ...requiredBody(Webhooks.WebhookCreateRequest),
    responses: created('Subscribed.', Webhooks.WebhookCreated),
    errors: serviceErrors(400, 403, 415),
  },
  {
    method: 'get',
    path: '/webhooks',
    summary: 'Subscriptions',
    description:
      "The caller's subscriptions; an admin's: every one of their tenant; the platform operator's: every tenant's. Newest first.",
    query: WebhookListQuery,
    responses: ok('Newest first.', listOf('webhooks', Webhooks.WebhookView)),
    errors: serviceErrors(400),
  },
  {
    method: 'get',
    path: '/webhooks/secret',
    summary: 'Your task-webhook signing secret',
    description:
      "The secret that signs the deliveries of the `webhook` of the caller's task requests (POST /orchestrate, AG-UI, A2A, schedules), made on first use. Audited (without the secret).",
    responses: ok('The secret.', Webhooks.WebhookSecret),
    errors: serviceErrors(),
  },
  {
    method: 'post',
    path: '/webhooks/secret/rotate',
    summary: 'Rotate your task-webhook signing secret',
    description:
      'A new secret; deliveries carry a signature by the old one too for WEBHOOK_ROTATION_GRACE_MS (`previousValidUntil`).',
    responses: ok('The new secret.', Webhooks.WebhookSecret),
    errors: serviceErrors(),
  },
  {
    method: 'get',
    path: '/webhooks/deliveries',
    summary: 'Deliveries and dead letters',
    description:
      "Deliveries (one task event for one webhook), newest first: the caller's webhooks'; an admin's: every one of their tenant; the platform operator's: every tenant's. `status=dead` lists the dead letters.",
    query: WebhookDeliveryQuery,
    responses: {
      200: {
        description: 'Newest first; `nextBefore` when there are older ones.',
        schema: z.object({
          deliveries: z.array(Webhooks.WebhookDeliveryView),
          nextBefore: Webhooks.WebhookDeliveryId.optional(),
        }),
      },
    },
    errors: serviceErrors(400),
  },
  {
    method: 'post',
    path: '/webhooks/deliveries/{id}/redeliver',
    summary: 'Redeliver a dead letter',
    description:
      "Sends a dead delivery again (same `webhook-id` and body, a new retry window): its owner or an admin of its tenant. 409 when it is not dead, or its subscription was deleted; 404 for one the caller may not see (another tenant's: audited).",
    pathParams: { id: { schema: Webhooks.WebhookDeliveryId, description: 'The delivery id.' } },
    responses: ok('Pending again.', Webhooks.WebhookDeliveryView),
    errors: serviceErrors(400, 404, 409),
  },
  {
    method: 'get',
    path: '/webhooks/{id}',
    summary: 'One subscription',
    description:
      "Its subscriber's, or an admin's of its tenant; anyone else: 404 (another tenant's: audited).",
    pathParams: webhookId,
    responses: ok('The subscription.', Webhooks.WebhookView),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'delete',
    path: '/webhooks/{id}',
    summary: 'Delete a subscription',
    description:
      'Its subscriber or an admin of its tenant: it hears nothing more, and its deliveries not yet sent are cancelled. Audited.',
    pathParams: webhookId,
    responses: ok('Deleted.', Gateway.WebhookDeleted),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'get',
    path: '/webhooks/{id}/secret',
    summary: "A subscription's signing secret",
    description: 'Its subscriber only (an admin: 403). Audited, without the secret.',
    pathParams: webhookId,
    responses: ok('The secret.', Webhooks.WebhookSecret),
    errors: serviceErrors(400, 403, 404),
  },
  {
    method: 'post',
    path: '/webhooks/{id}/secret/rotate',
    summary: "Rotate a subscription's signing secret",
    description:
      'Its subscriber only. Deliveries carry a signature by the old secret too for WEBHOOK_ROTATION_GRACE_MS.',
    pathParams: webhookId,
    responses: ok('The new secret.', Webhooks.WebhookSecret),
    errors: serviceErrors(400, 403, 404),
  },
];
