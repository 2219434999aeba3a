import { Webhooks } from '@switchboard/contracts';
import { z } from 'zod';
import { definedAs, limitQuery } from '../http/query-params.js';

/** `GET /webhooks`' query string. */
export const WebhookListQuery = limitQuery(500, 100);
export type WebhookListQuery = z.infer<typeof WebhookListQuery>;

/** `GET /webhooks/deliveries`' query string (`status=dead`: the dead letters), snake_case. */
export const WebhookDeliveryQuery = z
  .object({
    status: Webhooks.WebhookDeliveryStatus.optional().describe('`dead`: the dead letters.'),
    webhook_id: Webhooks.WebhookId.optional().describe("Only this subscription's."),
    task_id: z.string().uuid().optional().describe("Only this task's."),
    before: Webhooks.WebhookDeliveryId.optional().describe("A page's `nextBefore`: older ones."),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(Webhooks.WEBHOOK_DELIVERY_PAGE_MAX)
      .default(50)
      .describe(`1-${Webhooks.WEBHOOK_DELIVERY_PAGE_MAX}, default 50`),
  })
  .strict();
export type WebhookDeliveryQuery = z.infer<typeof WebhookDeliveryQuery>;

/** The query as the orchestrator's command takes it. */
export function deliveryListRequest(q: WebhookDeliveryQuery): Webhooks.WebhookDeliveryListRequest {
  return {
    limit: q.limit,
    ...definedAs(q, {
      status: 'status',
      webhook_id: 'webhookId',
      task_id: 'taskId',
      before: 'before',
    }),
  };
}
