import { StateMachine, type Webhooks } from '@switchboard/contracts';

/** What moves a delivery (its stored `status`) from one state to the next. */
export type DeliveryTrigger =
  'leased' | 'succeeded' | 'failed' | 'gave-up' | 'redelivered' | 'subscription-deleted';

/**
 * A webhook delivery: one task event for one webhook. The state is stored (WebhookDelivery.status),
 * so every replica drives the same delivery through the same table: the statements of
 * WebhookDeliveryRepository change a row only from the states this table allows (`WHERE status = …`),
 * and the use cases ask the table before they write.
 */
export const WEBHOOK_DELIVERY = new StateMachine<Webhooks.WebhookDeliveryStatus, DeliveryTrigger>({
  name: 'webhook delivery',
  initial: 'pending',
  final: ['delivered', 'cancelled'],
  transitions: [
    {
      from: ['pending', 'sending'],
      on: 'leased',
      to: 'sending',
      note: 'a replica claims it when due (pending past `nextAttemptAt`, or sending past its lease: the replica that held it died mid-call), one replica per delivery (`FOR UPDATE SKIP LOCKED`); the attempt is counted',
    },
    {
      from: 'sending',
      on: 'succeeded',
      to: 'delivered',
      note: 'the target answered 2xx; audited `webhook.delivered`',
    },
    {
      from: 'sending',
      on: 'failed',
      to: 'pending',
      note: 'any other answer, a redirect (never followed), no answer in WEBHOOK_TIMEOUT_MS, a network error: `nextAttemptAt` after a capped, jittered backoff, within the retry window',
    },
    {
      from: 'sending',
      on: 'gave-up',
      to: 'dead',
      note: 'failed with its retry window (WEBHOOK_RETRY_FOR_MS) used up, or the URL policy refuses the target now: in the dead letters; audited `webhook.dead`',
    },
    {
      from: 'dead',
      on: 'redelivered',
      to: 'pending',
      note: 'an admin (or its owner) sends it again: same webhook-id and body, a new retry window; audited `webhook.redeliver`',
    },
    {
      from: 'pending',
      on: 'subscription-deleted',
      to: 'cancelled',
      note: 'its subscription was deleted before it went out',
    },
  ],
});
