import { z } from 'zod';
import { ScheduleId } from '../schedule/schedule.schemas.js';
import {
  MemoryDelete,
  MemoryForgetNamespace,
  MemoryForgetTenant,
  MemoryForgetUser,
} from '../tools/memory.contracts.js';
import { WebhookId } from '../webhook/webhook.schemas.js';

/** How many recorded recalls a forget emptied in tasks' run records (docs/memory.md). */
const recalls = z
  .number()
  .int()
  .min(0)
  .describe("Recorded recalls emptied in tasks' run records (a replay says they were forgotten).");

/** `DELETE /memory/users/{userId}`: the store's answer, and the run records'. */
export const MemoryUserForgotten = MemoryForgetUser.response.extend({ recalls });
export type MemoryUserForgotten = z.infer<typeof MemoryUserForgotten>;

/** `DELETE /memory/tenants/{tenantId}`: the store's answer, and the run records'. */
export const MemoryTenantForgotten = MemoryForgetTenant.response.extend({ recalls });
export type MemoryTenantForgotten = z.infer<typeof MemoryTenantForgotten>;

/** `DELETE /memory/namespaces/{kind}/{key}`: the store's answer (without the ids), and the run records'. */
export const MemoryNamespaceForgotten = MemoryForgetNamespace.response
  .omit({ ids: true })
  .extend({ recalls });
export type MemoryNamespaceForgotten = z.infer<typeof MemoryNamespaceForgotten>;

/** `DELETE /memory/{id}`: the store's answer, and the run records'. */
export const MemoryItemForgotten = MemoryDelete.response.extend({ recalls });
export type MemoryItemForgotten = z.infer<typeof MemoryItemForgotten>;

/** `DELETE /schedules/{id}`: the schedule and its firings are gone (its tasks stay). */
export const ScheduleDeleted = z.object({ scheduleId: ScheduleId });
export type ScheduleDeleted = z.infer<typeof ScheduleDeleted>;

/** `DELETE /webhooks/{id}`: the subscription is gone, and its deliveries not yet sent cancelled. */
export const WebhookDeleted = z.object({
  webhookId: WebhookId,
  cancelledDeliveries: z.number().int(),
});
export type WebhookDeleted = z.infer<typeof WebhookDeleted>;
