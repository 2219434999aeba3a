import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandContract,
  DomainError,
  ErrorBody,
  type EventContract,
  type TokenValues,
  validationError,
} from '@switchboard/contracts';
import { createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { Metrics } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { buildHeaders, type OutgoingOptions } from './message-meta.js';
import {
  fromNatsRequestError,
  MessagingTimeoutError,
  NoRespondersError,
  RemoteError,
} from './messaging.errors.js';
import { MESSAGING_OPTIONS, type MessagingOptions, NATS_CONNECTION } from './messaging.options.js';
import { decodeJson, encodeJson } from './codec.js';

export interface RequestOptions extends OutgoingOptions {
  timeoutMs?: number;
}

export interface StreamRequestOptions extends OutgoingOptions {
  /** Wait for the first part (default: the contract's timeoutMs). */
  timeoutMs?: number;
  /** Longest silence between two parts once the first arrived (default: `timeoutMs`). */
  idleTimeoutMs?: number;
  /** Aborting it ends the iteration with the signal's reason, and cancels the stream. */
  signal?: AbortSignal;
  /**
   * Published with the stream's id (the request envelope's `id`) as its one token when the caller stops
   * before the stream ended — by leaving the loop, a timeout or the signal — so the responder stops too.
   */
  cancel?: EventContract<z.ZodType, readonly [string]>;
}

/** What every part of a streamed reply carries; `end` and `error` close the stream. */
interface StreamPart {
  kind: string;
  seq: number;
  error?: unknown;
}

/** The parts a streamed request yields: everything but the closing `end` and `error`. */
export type StreamItem<C extends CommandContract> = Exclude<
  z.infer<C['response']>,
  { kind: 'end' } | { kind: 'error' }
>;

/** Parts received ahead of a missing one that are kept before the stream counts as broken. */
const MAX_PARTS_AHEAD = 1_024;

/** Nest's NATS reply packet (see @nestjs/microservices ServerNats). */
interface ReplyPacket {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/**
 * Typed request/reply and publish. Payloads are validated before sending and replies after receiving.
 * Requests speak Nest's NATS envelope (`{pattern, data, id}`) over the shared connection's muxed inbox,
 * so any Nest `@MessagePattern` handler answers them, and NATS' no-responders status is detected at once.
 */
@Injectable()
export class NatsBus {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly metrics: Metrics,
  ) {}

  async request<C extends CommandContract>(
    contract: C,
    payload: z.input<C['request']>,
    opts: RequestOptions = {},
  ): Promise<z.infer<C['response']>> {
    const parsed = contract.request.safeParse(payload);
    if (!parsed.success) throw validationError(`request for ${contract.subject}`, parsed.error);
    const timeoutMs = opts.timeoutMs ?? contract.timeoutMs;
    const started = performance.now();
    let outcome = 'ok';
    try {
      let reply;
      try {
        reply = await this.nc.request(
          contract.subject,
          encodeJson({ pattern: contract.subject, data: parsed.data, id: randomUUID() }),
          { timeout: timeoutMs, headers: buildHeaders(this.options.service, opts) },
        );
      } catch (e) {
        throw fromNatsRequestError(e, contract.subject, contract.service, timeoutMs);
      }
      const packet = decodeJson(reply.data) as ReplyPacket;
      if (packet.err !== undefined && packet.err !== null) {
        const body = ErrorBody.safeParse(packet.err);
        if (body.success) throw new RemoteError(contract.service, body.data);
        throw new DomainError(
          'UPSTREAM_ERROR',
          `${contract.service} failed on ${contract.subject}: ${describe(packet.err)}`,
        );
      }
      const response = contract.response.safeParse(packet.response);
      if (!response.success) {
        const e = validationError(
          `reply from ${contract.service} on ${contract.subject}`,
          response.error,
        );
        throw new DomainError('UPSTREAM_ERROR', e.message, {
          ...(e.details ? { details: e.details } : {}),
        });
      }
      return response.data as z.infer<C['response']>;
    } catch (e) {
      outcome = e instanceof DomainError ? e.code : 'INTERNAL';
      throw e;
    } finally {
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
   * `idleTimeoutMs` (TIMEOUT), an invalid part (UPSTREAM_ERROR). Nothing is sent before iteration
   * starts; leaving early unsubscribes and publishes `opts.cancel`. To stop while a part is awaited,
   * abort `opts.signal`: an async generator's `return()` waits for the pending `next()`.
   */
  async *requestStream<C extends CommandContract>(
    contract: C,
    payload: z.input<C['request']>,
    opts: StreamRequestOptions = {},
  ): AsyncGenerator<StreamItem<C>, void, undefined> {
    const parsed = contract.request.safeParse(payload);
    if (!parsed.success) throw validationError(`request for ${contract.subject}`, parsed.error);
    const timeoutMs = opts.timeoutMs ?? contract.timeoutMs;
    const idleMs = opts.idleTimeoutMs ?? timeoutMs;
    const signal = opts.signal;
    const streamId = randomUUID();
    const inbox = new StreamInbox(contract);
    const sub = this.nc.subscribe(createInbox(), {
      callback: (err, msg) => inbox.receive(err, msg),
    });
    const onAbort = () => inbox.fail(signal?.reason ?? new DomainError('CANCELLED', 'aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    let outcome = 'ok';
    // Whether the responder is known to be done (it ended, failed, or there is none): no cancel then.
    let closed = false;
    try {
      if (signal?.aborted) throw signal.reason;
      this.nc.publish(
        contract.subject,
        encodeJson({ pattern: contract.subject, data: parsed.data, id: streamId }),
        { reply: sub.getSubject(), headers: buildHeaders(this.options.service, opts) },
      );
      inbox.touch();
      for (;;) {
        let part: StreamPart;
        try {
          part = await inbox.take(inbox.started ? idleMs : timeoutMs);
        } catch (e) {
          if (e instanceof StreamTimeout) throw new MessagingTimeoutError(contract.subject, e.ms);
          if (e instanceof NoRespondersError || e instanceof RemoteError) closed = true;
          throw e;
        }
        if (part.kind === 'end') {
          closed = true;
          return;
        }
        if (part.kind === 'error') {
          closed = true;
          throw remoteErrorOf(contract, part.error);
        }
        yield part as StreamItem<C>;
      }
    } catch (e) {
      outcome = e instanceof DomainError ? e.code : signal?.aborted ? 'CANCELLED' : 'INTERNAL';
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      sub.unsubscribe();
      if (!closed) {
        if (outcome === 'ok') outcome = 'CANCELLED';
        if (opts.cancel) {
          try {
            this.publish(opts.cancel, [streamId], { reason: `the caller stopped (${outcome})` });
          } catch {
            // The responder's own timeouts end the stream when the cancel cannot go out.
          }
        }
      }
      this.metrics.observeNatsRequest(
        contract.subject,
        outcome,
        (performance.now() - started) / 1000,
      );
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

  /** The raw connection, for the few edge adapters (tail, bench) that need it. */
  get connection(): NatsConnection {
    return this.nc;
  }
}

function remoteErrorOf(contract: CommandContract, error: unknown): DomainError {
  const body = ErrorBody.safeParse(error);
  return body.success
    ? new RemoteError(contract.service, body.data)
    : new DomainError(
        'UPSTREAM_ERROR',
        `${contract.service} failed on ${contract.subject}: ${describe(error)}`,
      );
}

/** No part within the allowed time (the caller turns it into a MessagingTimeoutError). */
class StreamTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no part within ${ms} ms`);
  }
}

/**
 * The receiving end of one streamed request: validates each message against the contract, puts the
 * parts in `seq` order (NATS keeps one publisher's order, but a gap must not go unnoticed), and hands
 * them out one at a time, waiting at most the given silence.
 */
class StreamInbox {
  private readonly ahead = new Map<number, StreamPart>();
  private expected = 0;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private lastActivity = performance.now();

  constructor(private readonly contract: CommandContract) {}

  /** Whether the first part was handed out (the idle timeout applies from then on). */
  get started(): boolean {
    return this.expected > 0;
  }

  touch(): void {
    this.lastActivity = performance.now();
  }

  receive(err: Error | null, msg: Msg): void {
    const { contract } = this;
    if (err) return this.fail(fromNatsRequestError(err, contract.subject, contract.service, 0));
    if (msg.data.length === 0 && msg.headers?.code === 503)
      return this.fail(new NoRespondersError(contract.subject, contract.service));
    let value: unknown;
    try {
      value = decodeJson(msg.data);
    } catch {
      return this.fail(
        new DomainError('UPSTREAM_ERROR', `${contract.service} sent a part that is not JSON`),
      );
    }
    const parsed = contract.response.safeParse(value);
    const part = parsed.data as StreamPart | undefined;
    if (!parsed.success || typeof part?.seq !== 'number' || typeof part.kind !== 'string') {
      const e = parsed.success ? undefined : validationError('part', parsed.error);
      return this.fail(
        new DomainError(
          'UPSTREAM_ERROR',
          `invalid part of the reply from ${contract.service} on ${contract.subject}: ${e?.message ?? 'no kind or seq'}`,
          e?.details ? { details: e.details } : {},
        ),
      );
    }
    if (part.seq < this.expected || this.ahead.has(part.seq)) return; // a duplicate
    if (this.ahead.size >= MAX_PARTS_AHEAD) {
      return this.fail(
        new DomainError(
          'UPSTREAM_ERROR',
          `the reply from ${contract.service} on ${contract.subject} lost part ${this.expected}`,
        ),
      );
    }
    this.ahead.set(part.seq, part);
    this.touch();
    this.wake?.();
  }

  fail(e: unknown): void {
    this.failure ??= e;
    this.wake?.();
  }

  /** The next part in order; rejects on a failure, or when nothing arrived for `silenceMs`. */
  async take(silenceMs: number): Promise<StreamPart> {
    for (;;) {
      // A failure (an abort above all) wins over parts still waiting to be read.
      if (this.failure !== undefined) throw this.failure;
      const part = this.ahead.get(this.expected);
      if (part) {
        this.ahead.delete(this.expected);
        this.expected++;
        return part;
      }
      const left = this.lastActivity + silenceMs - performance.now();
      if (left <= 0) throw new StreamTimeout(silenceMs);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.wake = undefined;
    }
  }
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && 'message' in err)
    return String((err as { message: unknown }).message);
  return JSON.stringify(err);
}
