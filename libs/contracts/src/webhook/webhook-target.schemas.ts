import { z } from 'zod';
import { safeText } from '../text.schemas.js';

// What a task request's `webhook` is made of. Kept apart from webhook.schemas.ts, which imports the
// task events: the task request (task.schemas.ts) imports this file, and the events import the request.

/** The longest webhook URL the platform stores and calls. */
export const WEBHOOK_URL_MAX = 2_048;

/**
 * What a webhook asks to hear (docs/webhooks.md): `ended` — the task completed, failed or was
 * cancelled; `approval.requested` — a call of the task waits for a person's decision; `*` — every
 * event of the task.
 */
export const WebhookEventKind = z.enum(['ended', 'approval.requested', '*']);
export type WebhookEventKind = z.infer<typeof WebhookEventKind>;

const ENDED: readonly string[] = [
  'orchestrator.task.completed',
  'orchestrator.task.failed',
  'orchestrator.task.cancelled',
];

/** Whether a webhook asking for `kinds` is sent the task event named `name`. */
export function webhookWants(kinds: readonly WebhookEventKind[], name: string): boolean {
  return kinds.some(
    (k) =>
      k === '*' ||
      (k === 'ended' && ENDED.includes(name)) ||
      (k === 'approval.requested' && name === 'orchestrator.approval.requested'),
  );
}

/**
 * A webhook target as it can be written down: an absolute http(s) URL with a host, without
 * credentials (`user:password@`: a webhook never carries one) or a fragment. Whether the platform may
 * call it — its scheme and the addresses its host resolves to — is the orchestrator's URL policy,
 * checked on registration and again before every delivery.
 */
export const WebhookUrl = safeText(z.string().min(1).max(WEBHOOK_URL_MAX)).superRefine((s, ctx) => {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an absolute URL, e.g. https://example.com/hook',
    });
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    ctx.addIssue({ code: 'custom', message: `must be an http or https URL, not ${url.protocol}` });
  else if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'must name a host' });
  if (url.username || url.password)
    ctx.addIssue({
      code: 'custom',
      message: 'must not hold a user name or password: a webhook never carries a credential',
    });
  if (url.hash) ctx.addIssue({ code: 'custom', message: 'must not have a #fragment' });
});

export const WebhookEvents = z
  .array(WebhookEventKind)
  .min(1)
  .max(3)
  .refine((a) => new Set(a).size === a.length, 'must not repeat an event');

/**
 * `webhook` of a task request (POST /orchestrate, AG-UI's forwardedProps, A2A message metadata, a
 * schedule's task): the URL called with the task's events of the kinds asked for (`ended` when
 * absent), signed with the submitter's task-webhook secret.
 */
export const TaskWebhook = z
  .object({ url: WebhookUrl, events: WebhookEvents.default(['ended']) })
  .strict();
export type TaskWebhook = z.infer<typeof TaskWebhook>;
