import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type CommandContract,
  DomainError,
  ErrorBody,
  type EventContract,
  Headers as H,
  isRepeatable,
  type NatsIdentity,
  requestSubject,
  type TokenValues,
  validationError,
} from '@switchboard/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { LOGGER, type Logger, Metrics, SpanKind, withSpan } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { buildHeaders, natsSpanAttributes, type OutgoingOptions } from './message-meta.js';
import { ConnectionWatch } from './connection.watch.js';
import {
  ConnectionLostError,
  DisconnectedError,
  fromNatsRequestError,
  RemoteError,
} from './messaging.errors.js';
import {
  CONNECTION_WATCH,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  NATS_CONNECTION,
} from './messaging.options.js';
import {
  type BusMessage,
  type BusSubscription,
  guardedSubscribe,
  InvalidMessage,
  type SubscribeOptions,
  subscriptionObserver,
  type SubscriptionObserver,
} from './bus-subscription.js';
import { decodeJson, encodeJson, unwrapEnvelope } from './codec.js';
import { inProcess, LocalRequests, type ReplyPacket } from './local-requests.js';
import { LocalTrafficCopies } from './local-traffic.js';
import { RequestHeartbeats } from './request-heartbeats.js';
import { type StreamRequestBus, StreamRequestCall } from './stream-request.call.js';
import { retryRequest, type RetryBudget } from './retry.policy.js';
import type { StreamItem, StreamRequestOptions } from './stream-request.options.js';

export interface RequestOptions extends OutgoingOptions, RetryBudget {
  /** The most one attempt waits for its reply (default: the contract's `timeoutMs`). */
  timeoutMs?: number;
  /** `false`: send it once even when the contract says it is repeatable. */
  retry?: false;
  /** Told before each new attempt (the error that caused it, the attempt number, the wait). */
  onRetry?: (error: DomainError, attempt: number, delayMs: number) => void;
}

/**
 * What the bus needs of the messaging options: the identity it sends as (its `x-sb-source`, its reply
 * inboxes) — a service, or an operator tool connected as `admin`.
 */
export type NatsBusOptions = Omit<MessagingOptions, 'service'> & { service: NatsIdentity };

/**
 * Typed request/reply and publish. Payloads are validated before sending and replies after receiving.
 * Requests speak Nest's NATS envelope (`{pattern, data, id}`) over the shared connection's muxed inbox,
 * so any Nest `@MessagePattern` handler answers them, and NATS' no-responders status is detected at once.
 */
@Injectable()
export class NatsBus {
  private readonly watch: ConnectionWatch;
  private readonly heartbeats: RequestHeartbeats;
  private readonly observer: SubscriptionObserver;
  /** What each streamed request needs of this bus (StreamRequestCall). */
  private readonly streamBus: StreamRequestBus;
  /** Requests to services of this process, when it runs an in-process bus (a cell). */
  private readonly local: LocalRequests;
  /** The copies of those requests for the traffic's watchers. */
  private readonly copies: LocalTrafficCopies;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: NatsBusOptions,
    private readonly metrics: Metrics,
    @Optional() @Inject(LOGGER) logger?: Logger,
    @Optional() @Inject(CONNECTION_WATCH) watch?: ConnectionWatch,
  ) {
    this.watch = watch ?? new ConnectionWatch(nc);
    this.observer = subscriptionObserver(metrics, logger);
    this.heartbeats = new RequestHeartbeats(
      nc,
      options.service,
      this.watch,
      this.observer,
      options.commandHeartbeatMs,
    );
    this.copies = LocalTrafficCopies.of(nc, options.service, this.observer);
    this.local = new LocalRequests(options.service, this.copies);
    this.streamBus = {
      nc,
      service: options.service,
      watch: this.watch,
      observer: this.observer,
      metrics,
      connectionWait: (ms) => this.connectionWait(ms),
      publishCancel: (cancel, streamId, reason) => this.publish(cancel, [streamId], { reason }),
    };
  }

  /**
   * Subscribes to an event: each message is unwrapped and validated against the contract's payload
   * before `handler` sees it; an invalid one is logged and counted, never handled. `opts.subject`
   * narrows the contract's pattern (one task's events). Nothing the handler throws or rejects with
   * reaches the NATS client (see guardedSubscribe); a refusal by the server is reported to
   * `opts.onRefused` and makes `ready` reject.
   */
  subscribe<E extends EventContract>(
    contract: E,
    handler: (payload: z.infer<E['payload']>, message: BusMessage) => void | Promise<void>,
    opts: SubscribeOptions & { subject?: string } = {},
  ): BusSubscription {
    return guardedSubscribe(
      this.nc,
      opts.subject ?? contract.pattern,
      (message) => {
        let raw: unknown;
        try {
          raw = unwrapEnvelope(decodeJson(message.data));
        } catch {
          throw new InvalidMessage(message.subject, 'not JSON');
        }
        const parsed = contract.payload.safeParse(raw);
        if (!parsed.success)
          throw new InvalidMessage(
            message.subject,
            validationError(`payload on ${message.subject}`, parsed.error).message,
          );
        return handler(parsed.data as z.infer<E['payload']>, message);
      },
      { label: contract.pattern, ...opts },
      this.observer,
    );
  }

  /**
   * Subscribes to raw messages (traffic taps, streamed replies, command adapters that answer with
   * several messages): the same guarantees as `subscribe`, without decoding.
   */
  subscribeRaw(
    subject: string,
    handler: (message: BusMessage) => void | Promise<void>,
    opts: SubscribeOptions = {},
  ): BusSubscription {
    return guardedSubscribe(this.nc, subject, handler, opts, this.observer);
  }

  /** Resolves once the server has processed everything sent so far (a round trip). */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  /** The largest message the server accepts, once connected. */
  get maxPayload(): number | undefined {
    return this.nc.info?.max_payload;
  }

  /**
   * Sends a validated request and validates the reply. Under the retry policy (retryRequest): a
   * repeatable request (the contract's `idempotency`) that failed in transport — no responders, no reply
   * in time, the connection lost while waiting — is sent again within the caller's budget
   * (`opts.deadline`, `opts.maxOutageMs`); without a budget, or not repeatable, it is sent once.
   */
  async request<C extends CommandContract>(
    contract: C,
    payload: z.input<C['request']>,
    opts: RequestOptions = {},
  ): Promise<z.infer<C['response']>> {
    const parsed = contract.request.safeParse(payload);
    if (!parsed.success) throw validationError(`request for ${contract.subject}`, parsed.error);
    const data: unknown = parsed.data;
    const subject = subjectOf(contract, data);
    const repeatable = opts.retry !== false && isRepeatable(contract, data);
    // One span for the request, retries included: the replier's span hangs below it.
    return withSpan(
      `nats request ${contract.subject}`,
      natsSpanAttributes(contract.subject, 'send'),
      () =>
        retryRequest(
          (timeoutMs) => this.attempt(contract, subject, data, opts, timeoutMs, repeatable),
          {
            timeoutMs: opts.timeoutMs ?? contract.timeoutMs,
            repeatable,
            ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
            ...(opts.maxOutageMs !== undefined ? { maxOutageMs: opts.maxOutageMs } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
            ...(opts.backoff ? { backoff: opts.backoff } : {}),
            ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
          },
        ),
      { kind: SpanKind.CLIENT },
    );
  }

  /**
   * One round trip on `subject` (the contract's, its placeholder filled); every attempt is counted in
   * the request metrics, by the contract's subject, with its own outcome.
   */
  private async attempt<C extends CommandContract>(
    contract: C,
    subject: string,
    data: unknown,
    opts: RequestOptions,
    timeoutMs: number,
    watchConnection: boolean,
  ): Promise<z.infer<C['response']>> {
    const started = performance.now();
    let outcome = 'ok';
    let beats: ReturnType<RequestHeartbeats['open']> | undefined;
    try {
      const local = inProcess(contract);
      if (local)
        return readReply(
          contract,
          subject,
          await this.local.call(contract, subject, data, opts, timeoutMs, local),
        );
      // Sent while disconnected, a request would be lost: wait for the connection, then send it once.
      const waitMs = this.connectionWait(timeoutMs);
      if (!this.watch.usable && !(await this.watch.whenConnected(waitMs)))
        throw new DisconnectedError(subject, contract.service, waitMs);
      let reply;
      try {
        const headers = buildHeaders(this.options.service, opts);
        if (contract.liveness === 'heartbeat') {
          beats = this.heartbeats.open(contract);
          headers.set(H.heartbeat, beats.subject);
          headers.set(H.heartbeatInterval, String(this.heartbeats.intervalMs));
        }
        const sent = this.nc.request(
          subject,
          encodeJson({ pattern: subject, data, id: randomUUID() }),
          { timeout: timeoutMs, headers },
        );
        // A repeatable request is sent again rather than waiting for a reply that cannot come.
        const answered = watchConnection
          ? this.watch.race(sent, () => new ConnectionLostError(subject, contract.service))
          : sent;
        reply = await (beats ? Promise.race([answered, beats.silent]) : answered);
      } catch (e) {
        throw fromNatsRequestError(e, subject, contract.service, timeoutMs);
      }
      return readReply(contract, subject, decodeJson(reply.data) as ReplyPacket);
    } catch (e) {
      outcome = e instanceof DomainError ? e.code : 'INTERNAL';
      throw e;
    } finally {
      beats?.close();
      this.metrics.observeNatsRequest(
        contract.subject,
        outcome,
        (performance.now() - started) / 1000,
      );
    }
  }

  /**
   * A request answered by a stream of replies on its own inbox (`contract.response` validates each
   * part). Parts carry `kind` and `seq` (0, 1, 2…): they are yielded in `seq` order; `end` finishes
   * the iteration and `error` (an ErrorBody in `error`) throws it as a RemoteError. Fails typed like
   * `request`: no responders (UPSTREAM_UNAVAILABLE), no first part within `timeoutMs` or silence over
   * `idleTimeoutMs` (TIMEOUT), an invalid part (UPSTREAM_ERROR). Heartbeat parts (no `seq`) are not
   * yielded: once one came, a responder silent for `heartbeatMisses` of its intervals is taken for
   * gone (UPSTREAM_UNAVAILABLE, `details.reason` `responder-silent`), whatever the timeouts. Like
   * `request`, it is sent once the connection is up; should the connection drop before the responder
   * said anything, the responder has `lostGraceMs` after it is back to show it holds the request, or
   * the stream fails as a lost connection (UPSTREAM_UNAVAILABLE). Nothing is sent before iteration
   * starts; leaving early unsubscribes and publishes `opts.cancel`. To stop
   * while a part is awaited, abort `opts.signal`: an async generator's `return()` waits for the
   * pending `next()`. Each stream's phases are STREAM_REQUEST's (stream-request.machine.ts).
   */
  async *requestStream<C extends CommandContract>(
    contract: C,
    payload: z.input<C['request']>,
    opts: StreamRequestOptions = {},
  ): AsyncGenerator<StreamItem<C>, void, undefined> {
    const parsed = contract.request.safeParse(payload);
    if (!parsed.success) throw validationError(`request for ${contract.subject}`, parsed.error);
    const subject = subjectOf(contract, parsed.data);
    const call = new StreamRequestCall(
      this.streamBus,
      contract,
      subject,
      parsed.data,
      opts,
      remoteErrorOf,
    );
    try {
      await call.send();
      for (let part = await call.next(); part; part = await call.next()) yield part;
    } catch (e) {
      call.failed(e);
      throw e;
    } finally {
      call.close();
    }
  }

  /** Core NATS publish (at most once) of a validated event. */
  publish<E extends EventContract>(
    contract: E,
    tokens: TokenValues<E['tokens']>,
    payload: z.input<E['payload']>,
    opts: OutgoingOptions = {},
  ): void {
    const parsed = contract.payload.safeParse(payload);
    if (!parsed.success) throw validationError(`payload for ${contract.template}`, parsed.error);
    const subject = contract.subject(...tokens);
    this.nc.publish(subject, encodeJson({ pattern: subject, data: parsed.data }), {
      headers: buildHeaders(this.options.service, opts),
    });
  }

  /** Whether the NATS connection is up (requests wait for it while it is not). */
  get connected(): boolean {
    return this.watch.connected;
  }

  /** Up and answering (the last probe had its round trip): a request sent now can be answered. */
  get usable(): boolean {
    return this.watch.usable;
  }

  /** Resolves true as soon as the connection is usable (at once if it is), false after `ms`. */
  whenUsable(ms: number): Promise<boolean> {
    return this.watch.whenConnected(ms);
  }

  /** How long a request waits for an unusable connection: its own timeout, or less if configured. */
  private connectionWait(timeoutMs: number): number {
    return Math.min(timeoutMs, this.options.connectionWaitMs ?? timeoutMs);
  }

  /** The raw connection, for tests and benchmarks only (services use the methods above). */
  get connection(): NatsConnection {
    return this.nc;
  }
}

/** A reply packet's answer, validated against the contract; its error as a typed DomainError. */
function readReply<C extends CommandContract>(
  contract: C,
  subject: string,
  packet: ReplyPacket,
): z.infer<C['response']> {
  if (packet.err !== undefined && packet.err !== null)
    throw remoteErrorOf(contract, packet.err, subject);
  const response = contract.response.safeParse(packet.response);
  if (!response.success) {
    const e = validationError(`reply from ${contract.service} on ${subject}`, response.error);
    throw new DomainError('UPSTREAM_ERROR', e.message, {
      ...(e.details ? { details: e.details } : {}),
    });
  }
  return response.data as z.infer<C['response']>;
}

/**
 * The subject one request goes on: the contract's, its placeholder filled from the request; VALIDATION
 * when that cannot be one token.
 */
function subjectOf(contract: CommandContract, request: unknown): string {
  try {
    return requestSubject(contract, request);
  } catch (e) {
    throw new DomainError('VALIDATION', `request for ${contract.subject}: ${(e as Error).message}`);
  }
}

function remoteErrorOf(contract: CommandContract, error: unknown, subject?: string): DomainError {
  const body = ErrorBody.safeParse(error);
  return body.success
    ? new RemoteError(contract.service, body.data)
    : new DomainError(
        'UPSTREAM_ERROR',
        `${contract.service} failed on ${subject ?? contract.subject}: ${describe(error)}`,
      );
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && 'message' in err)
    return String((err as { message: unknown }).message);
  return JSON.stringify(err);
}
