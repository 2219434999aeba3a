import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { DomainError } from '@switchboard/contracts';
import type { Logger, Metrics } from '@switchboard/observability';

/** One message as a subscription's handler sees it: no client library type beyond its headers. */
export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Where a request wants its answer (absent for a plain publish). */
  readonly reply: string | undefined;
  readonly headers: MsgHdrs | undefined;
  /** One header's value, or undefined (empty counts as absent). */
  header(name: string): string | undefined;
  /** Publishes `data` to `reply`; false when the message has no reply subject. */
  respond(data?: Uint8Array): boolean;
}

export interface SubscribeOptions {
  /** A queue group: each message goes to one member of the group. */
  queue?: string;
  /**
   * Told once when the subscription fails as a whole — the server refused it (this identity's NATS
   * permissions) — with the server's words. The subscription is closed then; nothing more arrives.
   */
  onRefused?: (reason: string) => void;
  /**
   * The subject as metrics and logs name it, when the subscribed one is one of many alike (a task's
   * own subject): the contract's pattern, so the metric's labels stay few.
   */
  label?: string;
}

/** A subscription made through the bus: its handler can never throw into the NATS client. */
export interface BusSubscription {
  readonly subject: string;
  /**
   * Resolves once the server has the subscription (a round trip); rejects with FORBIDDEN naming the
   * subject when the server refused it. A refusal after that (it cannot come later on one server)
   * still reaches `onRefused`.
   */
  readonly ready: Promise<void>;
  /** The server's refusal, once it came. */
  readonly refusal: string | undefined;
  unsubscribe(): void;
}

/** Where a subscription reports what it could not handle (logs and metrics); never throws. */
export interface SubscriptionObserver {
  refused(subject: string, reason: string): void;
  failed(subject: string, reason: 'invalid' | 'handler', error: unknown): void;
}

/** For subscriptions whose failures nobody needs to hear of (tests, the heartbeats' own inbox). */
export const IGNORED_FAILURES: SubscriptionObserver = {
  refused: () => undefined,
  failed: () => undefined,
};

function toBusMessage(msg: Msg): BusMessage {
  return {
    subject: msg.subject,
    data: msg.data,
    reply: msg.reply || undefined,
    headers: msg.headers,
    header: (name) => msg.headers?.get(name) || undefined,
    respond: (data) => msg.respond(data),
  };
}

/**
 * Subscribes with a callback that nothing can escape. nats.js calls a subscription's callback from
 * inside its protocol parser — with a message, or with an error and no message when the server refuses
 * the subscription — and an exception thrown there closes the connection's reader: every request of
 * the process then waits for its timeout. So: an error argument is a refusal (reported once, through
 * `onRefused` and the observer); a handler that throws or rejects is reported and the next message
 * is handled as usual.
 */
export function guardedSubscribe(
  nc: NatsConnection,
  subject: string,
  handler: (message: BusMessage) => void | Promise<void>,
  opts: SubscribeOptions,
  observer: SubscriptionObserver,
): BusSubscription {
  const label = opts.label ?? subject;
  let refusal: string | undefined;
  const report = (reason: 'invalid' | 'handler', error: unknown) => {
    try {
      observer.failed(label, reason, error);
    } catch {
      // A broken observer must not break the subscription either.
    }
  };
  const callback = (err: Error | null, msg: Msg): void => {
    if (err) {
      if (refusal !== undefined) return;
      refusal = err.message || String(err);
      try {
        observer.refused(label, refusal);
        opts.onRefused?.(refusal);
      } catch (e) {
        report('handler', e);
      }
      return;
    }
    try {
      const done = handler(toBusMessage(msg));
      if (done && typeof (done as Promise<void>).then === 'function')
        (done as Promise<void>).then(undefined, (e: unknown) => report('handler', e));
    } catch (e) {
      report(e instanceof InvalidMessage ? 'invalid' : 'handler', e);
    }
  };
  let sub: Subscription | undefined;
  try {
    sub = nc.subscribe(subject, { callback, ...(opts.queue ? { queue: opts.queue } : {}) });
  } catch (e) {
    // A closed or draining connection, or a subject the client refuses: a refusal like the server's.
    refusal = (e as Error).message;
    observer.refused(label, refusal);
    opts.onRefused?.(refusal);
  }
  const ready: Promise<void> =
    sub === undefined
      ? Promise.reject(refusedError(subject, refusal ?? 'no subscription'))
      : confirmed(nc, sub).then(() => {
          if (refusal !== undefined) throw refusedError(subject, refusal);
        });
  // Not every caller waits for `ready`: a refusal must not become an unhandled rejection.
  ready.catch(() => undefined);
  return {
    subject,
    ready,
    get refusal() {
      return refusal;
    },
    unsubscribe: () => {
      try {
        if (sub && !sub.isClosed()) sub.unsubscribe();
      } catch {
        // The connection is closed already: nothing is left to unsubscribe from.
      }
    },
  };
}

/** How often `ready` asks again after the connection dropped before the server answered. */
const CONFIRM_ATTEMPTS = 5;
const CONFIRM_BACKOFF_MS = 100;

/**
 * The server has the subscription: a round trip after it was sent. A connection that drops before the
 * answer (a NATS node going away) rejects the round trip, but the client sends its subscriptions again
 * when it reconnects: the round trip is asked again then, a few times, before the subscription is
 * given up as unavailable (retryable) — never a raw client error.
 */
async function confirmed(nc: NatsConnection, sub: Subscription): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await nc.flush();
      return;
    } catch (e) {
      if (attempt >= CONFIRM_ATTEMPTS || nc.isClosed() || sub.isClosed())
        throw new DomainError(
          'UPSTREAM_UNAVAILABLE',
          `NATS did not confirm the subscription to ${sub.getSubject()}: ${(e as Error).message || String(e)}`,
          { retryable: true },
        );
      // (a moment for the client to reconnect first)
      await new Promise((resolve) => setTimeout(resolve, CONFIRM_BACKOFF_MS * attempt));
    }
  }
}

function refusedError(subject: string, reason: string): DomainError {
  return new DomainError('FORBIDDEN', `NATS refused the subscription to ${subject}: ${reason}`, {
    details: { subject, reason },
  });
}

/** Thrown by a handler for a message that is not what its subject promises (counted as `invalid`). */
export class InvalidMessage extends Error {
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super(message);
  }
}

/** Failures of subscriptions, as logs and the `sb_nats_subscription_failures_total` counter. */
export function subscriptionObserver(
  metrics: Metrics,
  logger: Logger | undefined,
): SubscriptionObserver {
  return {
    refused: (subject, reason) => {
      metrics.natsSubscriptionFailures.labels(subject, 'refused').inc();
      logger?.error(
        { subject, reason },
        'NATS refused a subscription: this identity may not read it (its NATS permissions, docs/operations.md)',
      );
    },
    failed: (subject, reason, error) => {
      metrics.natsSubscriptionFailures.labels(subject, reason).inc();
      if (reason === 'invalid')
        logger?.warn({ subject, reason: (error as Error).message }, 'ignored an invalid message');
      else logger?.error({ err: error, subject }, 'a subscription handler failed on a message');
    },
  };
}
