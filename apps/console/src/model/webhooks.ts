import type { WebhookDeliveryView } from '@switchboard/client';
import type { Webhooks } from '@switchboard/contracts';

// The parts of the client's wire types (WebhookRequest, WebhookView) that it does not name.
export type WebhookEventKind = Webhooks.WebhookEventKind;
export type WebhookScope = Webhooks.WebhookScope;

/** The kinds of events a subscription may ask for, as the form names them. */
export const EVENT_CHOICES: { kind: WebhookEventKind; label: string }[] = [
  { kind: 'ended', label: 'Task ended (completed, failed, cancelled)' },
  { kind: 'approval.requested', label: 'Approval requested' },
  { kind: '*', label: 'Every event' },
];

/** What the subscribe form holds. */
export interface SubscribeForm {
  url: string;
  events: WebhookEventKind[];
  scope: WebhookScope;
  description: string;
}

/**
 * The body of `POST /webhooks` for the form, or the problem to show instead of sending it. The
 * gateway checks the URL against the URL policy too; this only catches what needs no server.
 */
export function subscribeBody(
  f: SubscribeForm,
): { ok: true; body: Webhooks.WebhookCreateInput } | { ok: false; problem: string } {
  const url = f.url.trim();
  if (!url) return { ok: false, problem: 'Give the URL to call.' };
  if (!/^https?:\/\/[^/\s]+/i.test(url))
    return { ok: false, problem: 'The URL must start with https:// (or http://).' };
  if (f.events.length === 0) return { ok: false, problem: 'Choose at least one kind of event.' };
  // "Every event" covers the others: ask for it alone.
  const events = f.events.includes('*') ? (['*'] as WebhookEventKind[]) : f.events;
  const description = f.description.trim();
  return {
    ok: true,
    body: { url, events, scope: f.scope, ...(description ? { description } : {}) },
  };
}

/** The events of a subscription in words. */
export function eventsWords(events: readonly WebhookEventKind[]): string {
  return events
    .map((k) => EVENT_CHOICES.find((c) => c.kind === k)?.label.replace(/ \(.*\)$/, '') ?? k)
    .join(', ');
}

/** One line on where a delivery stands. */
export function deliveryWords(d: WebhookDeliveryView): string {
  const tries = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  const why = d.lastError ? `: ${d.lastError.message}` : '';
  switch (d.status) {
    case 'delivered':
      return `Delivered after ${tries}`;
    case 'dead':
      return `Gave up after ${tries}${why}`;
    case 'pending':
      return d.attempts === 0 ? 'Waiting to be sent' : `Failed ${tries}, retrying${why}`;
    case 'sending':
      return `Being sent (attempt ${d.attempts})`;
    case 'cancelled':
      return 'Cancelled: its webhook was deleted';
  }
}
