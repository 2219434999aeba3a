import { type NatsContext, type NatsOptions, ServerNats } from '@nestjs/microservices';
import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  DomainError,
  Headers as H,
  type StreamHeartbeat,
  subjectMatches,
  validationError,
} from '@switchboard/contracts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { isObservable, lastValueFrom } from 'rxjs';
import { z } from 'zod';
import { encodeJson } from './codec.js';
import { type LocalResponder, localCommands, type ReplyBody } from './local-commands.js';
import { type HandlerObserver, ObservedNatsContext, refused } from './handle-command.decorator.js';
import { readMeta } from './message-meta.js';
import { toErrorBody } from './messaging.errors.js';
import { requestedHeartbeats } from './request-heartbeats.js';

type ServerOptions = Required<NatsOptions>['options'];

/** Nest's request envelope, as its clients (and NatsBus) send it. */
const Envelope = z
  .object({
    pattern: z.string().optional(),
    data: z.unknown(),
    id: z.union([z.string().max(256), z.number()]).optional(),
  })
  .strict();
type Envelope = z.infer<typeof Envelope>;

const ENVELOPE = 'Nest\'s envelope {"pattern", "data", "id"}';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request a body holds, or the VALIDATION error that says what is wrong with it: empty, not UTF-8,
 * not JSON, or JSON that is not the envelope (every request is one; a bare payload is refused too).
 */
export function readEnvelope(subject: string, body: Uint8Array): Envelope | DomainError {
  const refuse = (problem: string) =>
    new DomainError('VALIDATION', `request on ${subject} ${problem}`, {
      details: { issues: [{ path: '(body)', message: problem }] },
    });
  if (body.length === 0) return refuse(`has an empty body: send JSON, ${ENVELOPE}`);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return refuse(`is not UTF-8 text (${body.length} bytes): send JSON, ${ENVELOPE}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // Not the parser's message: it may quote the body, which may hold a secret.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    return refuse(`is not valid JSON${at ? ` (at character ${at})` : ''}: send ${ENVELOPE}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    return refuse(`is ${kind}, not ${ENVELOPE}`);
  }
  if (!Object.hasOwn(json, 'data')) return refuse(`is not ${ENVELOPE}: "data" is missing`);
  const envelope = Envelope.safeParse(json);
  return envelope.success
    ? envelope.data
    : validationError(`request envelope on ${subject}`, envelope.error);
}

/** Resolves when `work` settles or `deadline` (epoch ms) passes, whichever comes first. */
export async function untilDeadline(deadline: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
  ]);
  clearTimeout(timer);
}

/**
 * Nest's NATS server — connection, queue-group subscriptions, the handler registry, guards, pipes,
 * interceptors and exception filters all stay Nest's — with the reply path of a request made direct.
 * A NATS request has exactly one reply; Nest's generic path (an rxjs stream, a nextTick queue, the
 * serializer, and a JSON.parse of the pattern that throws for every plain subject) cost more per hop
 * than everything else in the library, so a request is answered here with the same
 * `{ id, response | err, isDisposed }` packet Nest would send.
 *
 * Every message on a command subject gets an answer and one log line when it cannot be served: a body
 * that is not the request envelope gets a VALIDATION reply naming the problem; a message without a reply
 * subject is not run (a command nobody waits for). `drain` stops taking requests and waits for those
 * being handled, so a service shuts down without failing work it accepted.
 */
export class CommandServer extends ServerNats implements LocalResponder {
  private readonly queue: string | undefined;
  private readonly graceMs: number;
  private readonly intake: Subscription[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private stopping: Promise<void> | undefined;
  private connection: NatsConnection | undefined;
  private observer: HandlerObserver | undefined;
  /** Withdraws this server's handlers from the process' in-process bus (a cell's). */
  private withdrawLocal: () => void = () => undefined;
  /**
   * Runs a function in the asynchronous context this server started listening in — its service's (a
   * cell starts each service in its own: runAsService) — as NATS' callbacks do: a request served
   * in-process is the responder's work (its spans, its scope), not the caller's.
   */
  private inOwnContext: <R>(fn: () => R) => R = (fn) => fn();

  constructor(options: ServerOptions) {
    // Nest's graceful shutdown (unsubscribe, then a fixed wait) is replaced by drain().
    super({ ...options, gracefulShutdown: false });
    this.queue = options.queue;
    this.graceMs = options.gracePeriod ?? 10_000;
  }

  /** Who counts and logs the commands this server handles (the service's metrics and logger). */
  observe(observer: HandlerObserver): void {
    this.observer = observer;
  }

  protected override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') ? super.getRouteFromPattern(pattern) : pattern;
  }

  /** Nest's subscriptions (each handler in its queue group), kept so drain() can stop them. */
  override bindEvents(client: NatsConnection): void {
    this.connection = client;
    for (const [channel, handler] of this.messageHandlers) {
      const queue = (handler.extras?.['queue'] as string | undefined) ?? this.queue;
      this.intake.push(
        client.subscribe(channel, {
          ...(queue ? { queue } : {}),
          callback: this.getMessageHandler(channel).bind(this) as (e: unknown, m: Msg) => void,
        }),
      );
    }
    // In a cell, callers in this process are served without NATS (NatsBus asks localCommands).
    this.inOwnContext = AsyncLocalStorage.snapshot();
    this.withdrawLocal = localCommands.register(
      [...this.messageHandlers].filter(([, h]) => !h.isEventHandler).map(([channel]) => channel),
      this,
    );
  }

  /**
   * Serves a request from a caller in this process (LocalResponder): the handler of `pattern`, as for
   * a request that came over NATS — the same validation, meta, metrics and logs — and counted among
   * the requests a drain waits for.
   */
  async serveLocal(
    pattern: string,
    subject: string,
    data: unknown,
    headers: MsgHdrs,
    reply: string,
  ): Promise<ReplyBody> {
    const handler = this.messageHandlers.get(pattern);
    if (!handler || handler.isEventHandler)
      return {
        err: toErrorBody(new DomainError('UPSTREAM_UNAVAILABLE', `nothing serves ${subject} here`))
          .body,
      };
    const work = this.inOwnContext(() => this.run(handler, subject, headers, reply, data));
    const done = work.then(() => undefined);
    this.inflight.add(done);
    try {
      return await work;
    } finally {
      this.inflight.delete(done);
    }
  }

  /**
   * Stops taking requests — NATS stops routing them here (replicas in the queue group take them); those
   * already on their way are still served — and waits until `deadline` (epoch ms) for the requests
   * being handled. Resolves with how many were still running at the deadline.
   */
  async drain(deadline: number): Promise<number> {
    this.withdrawLocal();
    this.stopping ??= Promise.allSettled(this.intake.map((s) => s.drain())).then(() => undefined);
    await untilDeadline(deadline, this.stopping);
    await untilDeadline(deadline, Promise.allSettled([...this.inflight]));
    return this.inflight.size;
  }

  override async close(): Promise<void> {
    await this.drain(Date.now() + this.graceMs);
    await super.close();
  }

  override async handleMessage(channel: string, natsMsg: Msg): Promise<void> {
    const handler = this.messageHandlers.get(channel);
    if (!handler || handler.isEventHandler) return super.handleMessage(channel, natsMsg);
    const subject = natsMsg.subject;
    if (!subjectMatches(channel, subject)) {
      // A JetStream consumer delivering stored messages to a command subject (its creator chose the
      // delivery subject): not a request anyone sent on this subject, so never run, never answered.
      refused(
        this.observer,
        channel,
        `a message stored on ${subject} was delivered here; it was not run`,
        {
          bytes: natsMsg.data.length,
          source: natsMsg.headers?.get(H.source) || undefined,
        },
      );
      return;
    }
    if (!natsMsg.reply) {
      refused(
        this.observer,
        subject,
        'a message without a reply subject was not run (commands are request/reply)',
        {
          bytes: natsMsg.data.length,
          source: natsMsg.headers?.get(H.source) || undefined,
        },
      );
      return;
    }
    const beats = requestedHeartbeats(subject, natsMsg.headers);
    const request = beats instanceof DomainError ? beats : readEnvelope(subject, natsMsg.data);
    if (request instanceof DomainError) {
      const correlationId = readMeta(subject, natsMsg.headers).correlationId;
      refused(this.observer, subject, request.message, {
        bytes: natsMsg.data.length,
        correlationId,
        source: natsMsg.headers?.get(H.source) || undefined,
      });
      this.respond(natsMsg, undefined, { err: toErrorBody(request, correlationId).body });
      return;
    }
    const stopBeats =
      beats === undefined || beats instanceof DomainError
        ? undefined
        : this.beat(beats.to, beats.intervalMs);
    const work = this.run(handler, subject, natsMsg.headers, natsMsg.reply, request.data).then(
      (body) => this.respond(natsMsg, request.id, body),
    );
    this.inflight.add(work);
    try {
      await work;
    } finally {
      stopBeats?.();
      this.inflight.delete(work);
    }
  }

  /**
   * Heartbeats to the caller's `subject` every `intervalMs` (what the caller asked for, else
   * COMMAND_HEARTBEAT_MS) while the request is handled, the first one an interval after it was taken:
   * a quick answer sends none.
   */
  private beat(subject: string, intervalMs: number): () => void {
    const beat = encodeJson({ kind: 'heartbeat', intervalMs } satisfies StreamHeartbeat);
    const timer = setInterval(() => {
      try {
        this.connection?.publish(subject, beat);
      } catch {
        // The connection is going: the caller's own limit ends its wait.
      }
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Runs the handler; what it answered, or the error body Nest's exception filters made of a throw. */
  private async run(
    handler: (data: unknown, ctx: NatsContext) => Promise<unknown>,
    subject: string,
    headers: MsgHdrs | undefined,
    reply: string,
    data: unknown,
  ): Promise<ReplyBody> {
    try {
      const out: unknown = await handler(
        data,
        new ObservedNatsContext([subject, headers], this.observer, reply),
      );
      return {
        response: isObservable(out) ? await lastValueFrom(out, { defaultValue: undefined }) : out,
      };
    } catch (err) {
      // Nest's exception filters turn a thrown RpcException into a failing stream of its error body.
      return { err };
    }
  }

  private respond(natsMsg: Msg, id: string | number | undefined, body: ReplyBody): void {
    try {
      natsMsg.respond(
        encodeJson({ ...body, ...(id === undefined ? {} : { id }), isDisposed: true }),
      );
    } catch (err) {
      this.logger.error(err);
    }
  }
}
