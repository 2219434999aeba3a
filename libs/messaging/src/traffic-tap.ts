import { jetstreamManager, type MsgRequest, type NextMsgRequest } from '@nats-io/jetstream';
import { connect, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { type NatsIdentity, TAP_WATCH_SUBJECT } from '@switchboard/contracts';
import {
  type BusMessage,
  type BusSubscription,
  guardedSubscribe,
  type SubscribeOptions,
  type SubscriptionObserver,
} from './bus-subscription.js';
import { CopiedTraffic, isTapSubject, mayTakeCopies } from './local-traffic.js';
import { type NatsSettings, natsConnectionOptions } from './messaging.options.js';

/** What can be subscribed to raw: the service's bus, or a tap of its own. */
export interface TrafficSource {
  subscribeRaw(
    subject: string,
    handler: (message: BusMessage) => void | Promise<void>,
    opts?: SubscribeOptions,
  ): BusSubscription;
}

/** One message of a stream as it was stored, read back by the tap. */
export interface StoredMessage {
  readonly subject: string;
  /** Its sequence number in the stream. */
  readonly seq: number;
  /** When the stream stored it. */
  readonly time: Date;
  readonly headers: MsgHdrs | undefined;
  readonly data: Uint8Array;
}

export interface TrafficTapOptions {
  name: string;
  nats: NatsSettings;
  identity: NatsIdentity;
  observer: SubscriptionObserver;
  /**
   * How often to try again after the connection drops before giving up (the connection then ends, see
   * `closed`); default: forever, as a service's connection does.
   */
  reconnectAttempts?: number;
  /**
   * Told of what the server says is wrong other than a refused subscription (which its subscription
   * reports): a publish this identity may not make, an authorization that expired… Never throws into
   * the client.
   */
  onServerError?: (message: string) => void;
}

/** A server error nats.js also hands to the subscription it concerns (reported there). */
const isSubscriptionRefusal = (e: Error) =>
  (e as { operation?: unknown }).operation === 'subscription';

/**
 * A connection of its own for watching the platform's traffic as a read-only identity (the gateway's
 * Live view as `live`, the operator CLI as `operator`): the service's own identity may not read that
 * traffic, and should not — a watcher must never be able to publish or answer. Every subscription is
 * guarded like the bus's (nothing reaches the client's parser); stored messages are read one by one
 * (`$JS.API.STREAM.MSG.GET`, no consumer: reading is all a watcher may do).
 */
export class TrafficTap implements TrafficSource {
  private readonly copies: CopiedTraffic;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly observer: SubscriptionObserver,
    onServerError: ((message: string) => void) | undefined,
  ) {
    if (onServerError) this.follow(onServerError);
    this.copies = new CopiedTraffic(
      (subject, handler, opts) => guardedSubscribe(nc, subject, handler, opts, observer),
      observer,
      { announce: () => nc.publish(TAP_WATCH_SUBJECT), flush: () => nc.flush() },
    );
  }

  /**
   * Connects as `identity` (its credentials in `nats`); rejects when the server cannot be reached or
   * refuses the credentials, with the client's reason.
   */
  static async open(opts: TrafficTapOptions): Promise<TrafficTap> {
    const nc = await connect({
      ...natsConnectionOptions(opts.name, opts.nats, opts.identity),
      ...(opts.reconnectAttempts !== undefined
        ? { maxReconnectAttempts: opts.reconnectAttempts }
        : {}),
    });
    return new TrafficTap(nc, opts.observer, opts.onServerError);
  }

  /** A tap on a connection already open (tests, or a process that holds the watcher's connection). */
  static over(
    nc: NatsConnection,
    opts: Pick<TrafficTapOptions, 'observer' | 'onServerError'>,
  ): TrafficTap {
    return new TrafficTap(nc, opts.observer, opts.onServerError);
  }

  /**
   * The messages on `subject` — and, where it can take a command or a reply, the copies of those a
   * cell's services exchanged in-process (local-traffic.ts), as if they had crossed NATS; the copies'
   * batches themselves are never handed over.
   */
  subscribeRaw(
    subject: string,
    handler: (message: BusMessage) => void | Promise<void>,
    opts: SubscribeOptions = {},
  ): BusSubscription {
    const own = guardedSubscribe(
      this.nc,
      subject,
      (m) => (isTapSubject(m.subject) ? undefined : handler(m)),
      opts,
      this.observer,
    );
    if (!mayTakeCopies(subject)) return own;
    const copies = this.copies.add(subject, handler);
    const ready = Promise.all([own.ready, copies.ready]).then(() => undefined);
    ready.catch(() => undefined);
    return {
      subject,
      ready,
      get refusal() {
        return own.refusal;
      },
      unsubscribe: () => {
        own.unsubscribe();
        copies.remove();
      },
    };
  }

  /**
   * The messages of `stream` whose subject `filter` takes (wildcards allowed), oldest first, read one
   * at a time from the first on (`next_by_subj`, nats-server 2.9+), until there is no further one. It
   * ends or fails (a stream it may not read, the server away) only with the caller's own `await`.
   */
  async *storedMessages(stream: string, filter: string): AsyncGenerator<StoredMessage> {
    const jsm = await jetstreamManager(this.nc);
    for (let seq = 1; ;) {
      // MSG.GET takes next_by_subj since nats-server 2.9; the client's type names only its other forms.
      const next: NextMsgRequest = { seq, next_by_subj: filter };
      const stored = await jsm.streams.getMessage(stream, next as unknown as MsgRequest);
      if (!stored) return;
      yield {
        subject: stored.subject,
        seq: stored.seq,
        time: stored.time,
        headers: stored.header,
        data: stored.data,
      };
      seq = stored.seq + 1;
    }
  }

  /** Resolves once the server has processed everything sent so far (a round trip). */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  /**
   * Resolves when the connection ends: undefined when it was closed on purpose, the reason when it
   * was lost for good (reconnect attempts used up, credentials refused).
   */
  async closed(): Promise<Error | undefined> {
    return (await this.nc.closed()) ?? undefined;
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }

  private follow(onServerError: (message: string) => void): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type !== 'error' || isSubscriptionRefusal(s.error)) continue;
        try {
          onServerError(s.error.message);
        } catch {
          // What a listener does with the news must not end the watch.
        }
      }
    })().catch(() => undefined);
  }
}
