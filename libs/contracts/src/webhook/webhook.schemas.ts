import { z } from 'zod';
import { pageLimit } from '../request.schemas.js';
import { TenantId, UserId } from '../identity.schemas.js';
import { safeText } from '../text.schemas.js';
import { TaskEvent } from '../task/task.events.js';
import { WebhookEventKind, WebhookEvents, WebhookUrl } from './webhook-target.schemas.js';

/**
 * Whose tasks a subscription hears: `own` — the subscriber's; `tenant` — every task of the
 * subscriber's tenant (admins only).
 */
export const WebhookScope = z.enum(['own', 'tenant']);
export type WebhookScope = z.infer<typeof WebhookScope>;

export const WebhookId = z.string().uuid();

/** The body of `POST /webhooks`: a standing subscription to events of the caller's tasks. */
export const WebhookCreateRequest = z
  .object({
    url: WebhookUrl,
    events: WebhookEvents.default(['ended']),
    scope: WebhookScope.default('own'),
    description: safeText(z.string().max(200)).optional(),
  })
  .strict();
export type WebhookCreateRequest = z.infer<typeof WebhookCreateRequest>;
export type WebhookCreateInput = z.input<typeof WebhookCreateRequest>;

/** One subscription as the API shows it (never its secret: that has its own call). */
export const WebhookView = z.object({
  webhookId: WebhookId,
  tenantId: TenantId,
  /** Who subscribed (whose tasks it hears, with scope `own`). */
  userId: z.string(),
  url: z.string(),
  events: z.array(WebhookEventKind),
  scope: WebhookScope,
  description: z.string().optional(),
  createdAt: z.string().datetime(),
  /** When its secret was last rotated (absent: never). */
  secretRotatedAt: z.string().datetime().optional(),
});
export type WebhookView = z.infer<typeof WebhookView>;

/**
 * A signing secret in the Standard Webhooks form, `whsec_<base64 of the key>`, with the time until
 * which the one it replaced still signs too (after a rotation).
 */
export const WebhookSecret = z.object({
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
  previousValidUntil: z.string().datetime().optional(),
});
export type WebhookSecret = z.infer<typeof WebhookSecret>;

/** What `POST /webhooks` answers: the subscription and its secret (shown here and by the secret call). */
export const WebhookCreated = WebhookView.extend({ secret: WebhookSecret.shape.secret });
export type WebhookCreated = z.infer<typeof WebhookCreated>;

/**
 * Where a delivery stands: `pending` — due now or after its backoff; `sending` — a replica holds its
 * lease and is calling the target; `delivered` — the target answered 2xx; `dead` — given up (its
 * retry time ran out, or the target is refused by the URL policy), waiting in the dead letters for an
 * admin's redelivery; `cancelled` — its subscription was deleted before it went out.
 */
export const WebhookDeliveryStatus = z.enum([
  'pending',
  'sending',
  'delivered',
  'dead',
  'cancelled',
]);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

/** Why the last attempt failed. */
export const WebhookFailureReason = z.enum([
  'http_status',
  'redirect',
  'timeout',
  'network',
  'response_too_large',
  'target_forbidden',
]);
export type WebhookFailureReason = z.infer<typeof WebhookFailureReason>;

export const WebhookDeliveryId = z.string().uuid();

/** One delivery (a task event for one webhook) as the API shows it; the body is in the payload docs. */
export const WebhookDeliveryView = z.object({
  deliveryId: WebhookDeliveryId,
  /** The `webhook-id` header: the same on every attempt and redelivery (receivers de-duplicate by it). */
  messageId: z.string(),
  tenantId: TenantId,
  /** Whose webhook it is: the subscriber, or the task's submitter for a task's own webhook. */
  userId: z.string(),
  /** The subscription, absent for a task's own webhook. */
  webhookId: WebhookId.optional(),
  /** An A2A push notification config's notification (docs/a2a.md), set by an A2A client on the task. */
  a2aPush: z.literal(true).optional(),
  taskId: z.string().uuid(),
  seq: z.number().int().positive(),
  event: z.string(),
  url: z.string(),
  status: WebhookDeliveryStatus,
  attempts: z.number().int().nonnegative(),
  createdAt: z.string().datetime(),
  nextAttemptAt: z.string().datetime().optional(),
  lastAttemptAt: z.string().datetime().optional(),
  /** Retried until then; past it the delivery is dead. */
  giveUpAt: z.string().datetime(),
  deliveredAt: z.string().datetime().optional(),
  deadAt: z.string().datetime().optional(),
  lastError: z
    .object({
      reason: WebhookFailureReason,
      /** The target's HTTP status, when it answered. */
      status: z.number().int().optional(),
      message: z.string(),
    })
    .optional(),
});
export type WebhookDeliveryView = z.infer<typeof WebhookDeliveryView>;

/** Most deliveries one page of `GET /webhooks/deliveries` holds. */
export const WEBHOOK_DELIVERY_PAGE_MAX = 200;

export const WebhookDeliveryListRequest = z
  .object({
    status: WebhookDeliveryStatus.optional(),
    webhookId: WebhookId.optional(),
    taskId: z.string().uuid().optional(),
    /** Deliveries created before this one's creation (a previous page's `nextBefore`). */
    before: WebhookDeliveryId.optional(),
    limit: pageLimit(WEBHOOK_DELIVERY_PAGE_MAX, 50),
  })
  .strict();
export type WebhookDeliveryListRequest = z.infer<typeof WebhookDeliveryListRequest>;

/**
 * What a receiver gets, as the request body (Standard Webhooks' `type` / `timestamp` / `data`):
 * `type` is the task event's name, `data.event` the event exactly as the task's event stream holds
 * it — redacted like every event: never a credential.
 */
export const WebhookPayload = z
  .object({
    type: z.string(),
    timestamp: z.string().datetime(),
    data: z
      .object({
        taskId: z.string().uuid(),
        tenantId: TenantId,
        /** The task's submitter. */
        userId: UserId,
        /** The subscription that asked for it; absent for the task's own webhook. */
        webhookId: WebhookId.optional(),
        event: TaskEvent,
      })
      .strict(),
  })
  .strict();
export type WebhookPayload = z.infer<typeof WebhookPayload>;
