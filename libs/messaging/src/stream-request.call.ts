import {
  type CommandContract,
  DomainError,
  inboxPrefix,
  type MachineInstance,
  type NatsIdentity,
  STREAM_LOST_GRACE_MS,
} from '@switchboard/contracts';
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import {
  contextWithSpan,
  endSpan,
  isTracingExported,
  type Metrics,
  type Span,
  SpanKind,
  startSpan,
} from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import {
  type BusSubscription,
  guardedSubscribe,
  type SubscriptionObserver,
} from './bus-subscription.js';
import { encodeJson } from './codec.js';
import type { ConnectionWatch } from './connection.watch.js';
import { buildHeaders, natsSpanAttributes } from './message-meta.js';
import {
  ConnectionLostError,
  DisconnectedError,
  MessagingTimeoutError,
  NoRespondersError,
  RemoteError,
} from './messaging.errors.js';
import { ResponderLiveness } from './stream-heartbeat.js';
import { RequestLost, ResponderGone, StreamInbox, StreamTimeout } from './stream-inbox.js';
import {
  STREAM_REQUEST,
  type StreamRequestPhase,
  type StreamRequestTrigger,
} from './stream-request.machine.js';
import type { StreamItem, StreamRequestOptions } from './stream-request.options.js';

/** What a streamed request needs of the bus that sends it. */
export interface StreamRequestBus {
  nc: NatsConnection;
  service: NatsIdentity;
  watch: ConnectionWatch;
  observer: SubscriptionObserver;
  metrics: Metrics;
  /** How long a request may wait for a usable connection. */
  connectionWait(timeoutMs: number): number;
  /** Publishes the cancel contract (validated like every event). */
  publishCancel(
    contract: NonNullable<StreamRequestOptions['cancel']>,
    streamId: string,
    reason: string,
  ): void;
}

/** The remote's error part as the caller's error (the remote's code and message). */
export type RemoteErrorOf = (contract: CommandContract, error: unknown) => Error;

/**
 * One streamed request, phase by phase (STREAM_REQUEST, stream-request.machine.ts): its inbox taken
 * before it is sent, the parts handed out in order within the timeouts, and on the way out its
 * subscription dropped, the cancel sent when the responder may still be at work, its metrics and span.
 */
export class StreamRequestCall<C extends CommandContract> {
  private readonly phase: MachineInstance<StreamRequestPhase, StreamRequestTrigger> =
    STREAM_REQUEST.start();
  private readonly inbox: StreamInbox;
  private readonly sub: BusSubscription;
  private readonly unfollow: () => void;
  private readonly onAbort: () => void;
  /** The stream outlives any one call of the generator: its span is ended by hand. */
  private readonly span: Span | undefined;
  private readonly streamId = randomUUID();
  private readonly started = performance.now();
  private failure: unknown;

  constructor(
    private readonly bus: StreamRequestBus,
    private readonly contract: C,
    private readonly subject: string,
    private readonly data: unknown,
    private readonly opts: StreamRequestOptions,
    private readonly remoteErrorOf: RemoteErrorOf,
  ) {
    this.inbox = new StreamInbox(contract, new ResponderLiveness(opts.heartbeatMisses));
    this.unfollow = bus.watch.follow(
      () => this.inbox.connectionLost(),
      () => this.inbox.connectionBack(),
    );
    const prefix = inboxPrefix(bus.service);
    // The connection's own inbox prefix: the only inboxes this identity may read.
    this.sub = guardedSubscribe(
      bus.nc,
      createInbox(prefix),
      (msg) => this.inbox.receive(null, msg),
      {
        label: `${prefix}.*`,
        onRefused: (reason) =>
          this.inbox.fail(
            new DomainError('FORBIDDEN', `NATS refused this identity's own inbox: ${reason}`),
          ),
      },
      bus.observer,
    );
    this.onAbort = () =>
      this.inbox.fail(opts.signal?.reason ?? new DomainError('CANCELLED', 'aborted'));
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.span = isTracingExported()
      ? startSpan(
          `nats request ${contract.subject}`,
          natsSpanAttributes(contract.subject, 'send'),
          {
            kind: SpanKind.CLIENT,
          },
        )
      : undefined;
  }

  get state(): StreamRequestPhase {
    return this.phase.state;
  }

  /** `connecting` → `awaiting`: sent once the connection is usable; → `unsent` otherwise. */
  async send(): Promise<void> {
    const { bus, opts, contract, subject } = this;
    if (opts.signal?.aborted) this.unsent(opts.signal.reason);
    // Published while disconnected, the request would be lost: wait for the connection first.
    const timeoutMs = opts.timeoutMs ?? contract.timeoutMs;
    const waitMs = bus.connectionWait(timeoutMs);
    if (!bus.watch.usable && !(await bus.watch.whenConnected(waitMs)))
      this.unsent(new DisconnectedError(subject, contract.service, waitMs));
    const headers = buildHeaders(bus.service, {
      ...opts,
      ...(this.span ? { traceContext: contextWithSpan(this.span) } : {}),
    });
    bus.nc.publish(subject, encodeJson({ pattern: subject, data: this.data, id: this.streamId }), {
      reply: this.sub.subject,
      headers,
    });
    this.phase.fire('sent');
    this.inbox.touch();
  }

  /** The next part, or undefined after the responder's `end`; throws what ends the stream otherwise. */
  async next(): Promise<StreamItem<C> | undefined> {
    const { inbox, contract, opts } = this;
    const timeoutMs = opts.timeoutMs ?? contract.timeoutMs;
    const waitMs = inbox.started ? (opts.idleTimeoutMs ?? timeoutMs) : timeoutMs;
    let part;
    try {
      part = await inbox.take(waitMs, opts.lostGraceMs ?? STREAM_LOST_GRACE_MS);
    } catch (e) {
      throw this.broken(e);
    }
    if (part.kind === 'end') {
      this.phase.fire('end');
      return undefined;
    }
    if (part.kind === 'error') {
      this.phase.fire('refused');
      throw this.remoteErrorOf(contract, part.error);
    }
    this.phase.fire('part');
    return part as StreamItem<C>;
  }

  /** Why the stream failed: the responder is done (`refused`), or the caller gives up (`abandoned`). */
  private broken(e: unknown): unknown {
    const { contract } = this;
    if (e instanceof NoRespondersError || e instanceof RemoteError) {
      this.phase.fire('refused');
      return e;
    }
    this.phase.fire('abandoned');
    if (e instanceof StreamTimeout) return new MessagingTimeoutError(contract.subject, e.ms);
    if (e instanceof ResponderGone) return this.inbox.liveness.gone(contract);
    if (e instanceof RequestLost)
      return new ConnectionLostError(contract.subject, contract.service);
    return e;
  }

  private unsent(reason: unknown): never {
    this.phase.fire('unsent');
    throw reason;
  }

  /** What the caller saw end the stream (for its metrics and span). */
  failed(e: unknown): void {
    this.failure = e;
  }

  /**
   * The way out, whatever it was: the subscription dropped; the cancel sent unless the responder is
   * known to be done (the caller stopped reading: `abandoned`); the request's metrics and span.
   */
  close(): void {
    const { opts, bus } = this;
    opts.signal?.removeEventListener('abort', this.onAbort);
    this.unfollow();
    this.sub.unsubscribe();
    if (this.phase.can('abandoned')) this.phase.fire('abandoned'); // the caller stopped reading
    const outcome = this.outcome();
    if (this.phase.state === 'abandoned' && opts.cancel) {
      try {
        bus.publishCancel(opts.cancel, this.streamId, `the caller stopped (${outcome})`);
      } catch {
        // The responder's own timeouts end the stream when the cancel cannot go out.
      }
    }
    bus.metrics.observeNatsRequest(
      this.contract.subject,
      outcome,
      (performance.now() - this.started) / 1000,
    );
    if (this.span) endSpan(this.span, this.failure, { 'switchboard.outcome': outcome });
  }

  /** `ok`, the error's code, or CANCELLED for a stream its caller stopped reading. */
  private outcome(): string {
    if (this.phase.state === 'ended') return 'ok';
    const e = this.failure;
    if (e === undefined) return 'CANCELLED';
    return e instanceof DomainError ? e.code : this.opts.signal?.aborted ? 'CANCELLED' : 'INTERNAL';
  }
}
