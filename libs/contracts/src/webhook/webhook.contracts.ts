import { z } from 'zod';
import { type CommandContract, defineCommand, type EventContract } from '../define.js';
import {
  WebhookCreated,
  WebhookCreateRequest,
  WebhookDeliveryId,
  WebhookDeliveryListRequest,
  WebhookDeliveryView,
  WebhookId,
  WebhookSecret,
  WebhookView,
} from './webhook.schemas.js';
import { WebhookUrl } from './webhook-target.schemas.js';
import {
  A2aPushConfigDelete,
  A2aPushConfigGet,
  A2aPushConfigList,
  A2aPushConfigSet,
} from './a2a-push.contracts.js';

export const WebhookCreate = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.create',
  service: 'orchestrator',
  callers: ['gateway'],
  request: WebhookCreateRequest,
  response: WebhookCreated,
  timeoutMs: 15_000,
  description:
    'Subscribes the acting user to events of their tasks (scope `own`) or, for an admin, of every task of their tenant (scope `tenant`). The URL is checked against the URL policy, its host resolved (VALIDATION naming `url` and the reason when refused). Answers the subscription with its signing secret (`whsec_…`). Audited.',
});

export const WebhookList = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.list',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(),
  response: z.object({ webhooks: z.array(WebhookView) }),
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description:
    "Subscriptions the acting user sees, newest first: their own; an admin's: every one of their tenant; the platform operator's: every tenant's.",
});

export const WebhookGet = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.get',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ webhookId: WebhookId }).strict(),
  response: WebhookView,
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description:
    "One subscription, for its subscriber or an admin of its tenant; another's is NOT_FOUND (another tenant's audited as denied).",
});

export const WebhookDelete = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.delete',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ webhookId: WebhookId }).strict(),
  response: z.object({ webhookId: WebhookId, cancelledDeliveries: z.number().int().nonnegative() }),
  timeoutMs: 5_000,
  description:
    'Deletes a subscription (its subscriber or an admin of its tenant): it hears nothing more, and its deliveries not sent yet are cancelled. NOT_FOUND as WebhookGet. Audited.',
});

export const WebhookSecretGet = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.secret.get',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ webhookId: WebhookId.optional() }).strict(),
  response: WebhookSecret,
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description:
    "A signing secret, for its owner only: a subscription's (`webhookId`), or without it the acting user's task-webhook secret, which signs the deliveries of the `webhook` of their task requests (made on first use). Audited, without the secret.",
});

export const WebhookSecretRotate = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.secret.rotate',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ webhookId: WebhookId.optional() }).strict(),
  response: WebhookSecret,
  timeoutMs: 5_000,
  description:
    'Replaces a signing secret (as WebhookSecretGet names it) with a new one; deliveries carry a signature by each of the two until WEBHOOK_ROTATION_GRACE_MS has passed. Audited, without the secrets.',
});

export const WebhookTargetCheck = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.target.check',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ url: WebhookUrl }).strict(),
  response: z.object({ url: z.string() }),
  timeoutMs: 10_000,
  idempotency: 'idempotent',
  description:
    'Asked by the gateway before it accepts a task request with a `webhook`: VALIDATION naming the reason when the URL policy refuses the URL or the addresses its host resolves to (the orchestrator checks again before every delivery). The refusal is audited.',
});

export const WebhookDeliveryList = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.delivery.list',
  service: 'orchestrator',
  callers: ['gateway'],
  request: WebhookDeliveryListRequest,
  response: z.object({
    deliveries: z.array(WebhookDeliveryView),
    /** Present when older deliveries match: pass it as `before`. */
    nextBefore: WebhookDeliveryId.optional(),
  }),
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description:
    "Deliveries, newest first, filtered by status (`dead`: the dead letters), subscription or task: the acting user's own webhooks'; an admin's: every one of their tenant; the platform operator's: every tenant's.",
});

export const WebhookRedeliver = defineCommand({
  subject: 'sb.cmd.orchestrator.webhook.delivery.redeliver',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ deliveryId: WebhookDeliveryId }).strict(),
  response: WebhookDeliveryView,
  timeoutMs: 5_000,
  description:
    'Sends a dead delivery again, with the same webhook-id and body, and a new retry window: its owner or an admin of its tenant. CONFLICT when it is not dead (or its subscription was deleted); NOT_FOUND as the list. Audited.',
});

export const WEBHOOK_CONTRACTS: {
  commands: readonly CommandContract[];
  events: readonly EventContract[];
} = {
  commands: [
    WebhookCreate,
    WebhookList,
    WebhookGet,
    WebhookDelete,
    WebhookSecretGet,
    WebhookSecretRotate,
    WebhookTargetCheck,
    WebhookDeliveryList,
    WebhookRedeliver,
    A2aPushConfigSet,
    A2aPushConfigGet,
    A2aPushConfigList,
    A2aPushConfigDelete,
  ],
  events: [],
};
