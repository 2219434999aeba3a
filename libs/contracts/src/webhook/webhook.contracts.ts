import { z } from 'zod';
import { limitRequest } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import { type DomainContracts } from '../define.js';
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

const byId = z.object({ webhookId: WebhookId }).strict();
/** A subscription's secret (`webhookId`), or without it the acting user's task-webhook secret. */
const whoseSecret = z.object({ webhookId: WebhookId.optional() }).strict();

/**
 * The webhook commands, sb.cmd.orchestrator.webhook.<action>: the gateway's HTTP API sends them.
 */
const webhook = commandGroup('sb.cmd.orchestrator.webhook', { callers: ['gateway'] });

export const WebhookCreate = webhook.command('create', {
  request: WebhookCreateRequest,
  response: WebhookCreated,
  timeoutMs: 15_000,
  description:
    'Subscribes the acting user to events of their tasks (scope `own`) or, for an admin, of every task of their tenant (scope `tenant`). The URL is checked against the URL policy, its host resolved (VALIDATION naming `url` and the reason when refused). Answers the subscription with its signing secret (`whsec_…`). Audited.',
});

export const WebhookList = webhook.query('list', {
  request: limitRequest(500, 100),
  response: z.object({ webhooks: z.array(WebhookView) }),
  description:
    "Subscriptions the acting user sees, newest first: their own; an admin's: every one of their tenant; the platform operator's: every tenant's.",
});

export const WebhookGet = webhook.query('get', {
  request: byId,
  response: WebhookView,
  description:
    "One subscription, for its subscriber or an admin of its tenant; another's is NOT_FOUND (another tenant's audited as denied).",
});

export const WebhookDelete = webhook.command('delete', {
  request: byId,
  response: z.object({ webhookId: WebhookId, cancelledDeliveries: z.number().int().nonnegative() }),
  description:
    'Deletes a subscription (its subscriber or an admin of its tenant): it hears nothing more, and its deliveries not sent yet are cancelled. NOT_FOUND as WebhookGet. Audited.',
});

export const WebhookSecretGet = webhook.command('secret.get', {
  request: whoseSecret,
  response: WebhookSecret,
  idempotency: 'idempotent',
  description:
    "A signing secret, for its owner only: a subscription's (`webhookId`), or without it the acting user's task-webhook secret, which signs the deliveries of the `webhook` of their task requests (made on first use). Audited, without the secret.",
});

export const WebhookSecretRotate = webhook.command('secret.rotate', {
  request: whoseSecret,
  response: WebhookSecret,
  description:
    'Replaces a signing secret (as WebhookSecretGet names it) with a new one; deliveries carry a signature by each of the two until WEBHOOK_ROTATION_GRACE_MS has passed. Audited, without the secrets.',
});

export const WebhookTargetCheck = webhook.query('target.check', {
  request: z.object({ url: WebhookUrl }).strict(),
  response: z.object({ url: z.string() }),
  timeoutMs: 10_000,
  description:
    'Asked by the gateway before it accepts a task request with a `webhook`: VALIDATION naming the reason when the URL policy refuses the URL or the addresses its host resolves to (the orchestrator checks again before every delivery). The refusal is audited.',
});

export const WebhookDeliveryList = webhook.query('delivery.list', {
  request: WebhookDeliveryListRequest,
  response: z.object({
    deliveries: z.array(WebhookDeliveryView),
    /** Present when older deliveries match: pass it as `before`. */
    nextBefore: WebhookDeliveryId.optional(),
  }),
  description:
    "Deliveries, newest first, filtered by status (`dead`: the dead letters), subscription or task: the acting user's own webhooks'; an admin's: every one of their tenant; the platform operator's: every tenant's.",
});

export const WebhookRedeliver = webhook.command('delivery.redeliver', {
  request: z.object({ deliveryId: WebhookDeliveryId }).strict(),
  response: WebhookDeliveryView,
  description:
    'Sends a dead delivery again, with the same webhook-id and body, and a new retry window: its owner or an admin of its tenant. CONFLICT when it is not dead (or its subscription was deleted); NOT_FOUND as the list. Audited.',
});

export const WEBHOOK_CONTRACTS: DomainContracts = {
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
