import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DomainError, Xmpp } from '@switchboard/contracts';
import {
  type BusMessage,
  type BusSubscription,
  commandObserver,
  encodeJson,
  type HandlerObserver,
  type MessageMeta,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  NatsBus,
  natsSpanAttributes,
  startHeartbeat,
} from '@switchboard/messaging';
import {
  LOGGER,
  type Logger,
  Metrics,
  requestContext,
  SpanKind,
  withExtractedContext,
  withSpan,
} from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import type { StreamSink } from '../xmpp/http-over-xmpp.transport.js';
import { HttpStreamResponder } from './http-stream.responder.js';
import { SendHttpRequestUseCase } from './send-http-request.use-case.js';

/** The token of the cancel subject that names the stream (`sb.ctl.xmpp.http.stream.<id>.cancel`). */
const CANCEL_ID_TOKEN = Xmpp.HttpStreamCancel.pattern.split('.').indexOf('*');

/**
 * NATS adapter of `Xmpp.HttpStream` (the platform bridge only): a request whose response goes back
 * as several messages to its inbox, each as soon as XMPP delivers it — which `@HandleCommand`, one
 * reply per request, cannot do. Served in the service's queue group like the other commands; the
 * cancel subject is heard by every replica, and the one carrying the stream stops it. From the moment
 * it takes a request until its last part, it also sends heartbeats (no `seq`), so the caller notices
 * within a few of them when this process dies, however long the peer is silent. Each exchange's
 * phases are HTTP_STREAM's (http-stream.machine.ts).
 */
@Injectable()
export class HttpStreamHandler implements OnModuleInit, OnApplicationShutdown {
  private readonly subscriptions: BusSubscription[] = [];
  /** Streams in progress, by the request envelope's id (the cancel subject's token). */
  private readonly running = new Map<string, AbortController>();
  /** Refusals logged and counted as this service's, like those of its other commands. */
  private readonly observer: HandlerObserver;

  constructor(
    private readonly send: SendHttpRequestUseCase,
    private readonly bus: NatsBus,
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.observer = commandObserver(metrics, logger);
  }

  onModuleInit(): void {
    this.subscriptions.push(
      this.bus.subscribeRaw(Xmpp.HttpStream.subject, (msg) => this.serve(msg), {
        queue: this.messaging.service,
      }),
      this.bus.subscribeRaw(Xmpp.HttpStreamCancel.pattern, (msg) => {
        const id = msg.subject.split('.')[CANCEL_ID_TOKEN] ?? '';
        this.running.get(id)?.abort(new DomainError('CANCELLED', 'the caller cancelled'));
      }),
    );
  }

  onApplicationShutdown(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    for (const c of this.running.values())
      c.abort(new DomainError('UPSTREAM_UNAVAILABLE', 'the bridge is stopping'));
  }

  /** Takes one streamed request: its responder answers it part by part (HttpStreamResponder). */
  private serve(msg: BusMessage): void {
    if (!msg.reply) return;
    const responder = new HttpStreamResponder(msg, this.bus.maxPayload, this.logger, this.observer);
    const accepted = responder.accept();
    if (!accepted) return;
    const controller = new AbortController();
    const { id } = accepted;
    if (id) this.running.set(id, controller);
    const stopBeats = startHeartbeat(
      (beat) => msg.respond(encodeJson(beat)),
      this.settings.streamHeartbeatMs,
    );
    const sink = responder.sink((reason) => controller.abort(reason));
    void this.exchange(msg, responder.meta, accepted.input, sink, controller.signal)
      .then(
        () => {
          stopBeats();
          responder.end();
        },
        (e: unknown) => {
          stopBeats();
          responder.fail(e, controller.signal);
        },
      )
      .finally(() => {
        stopBeats();
        if (id) this.running.delete(id);
      });
  }

  /** The exchange over XMPP, in the caller's request context and trace, like every handled command. */
  private exchange(
    msg: BusMessage,
    meta: MessageMeta,
    input: Xmpp.HttpOverXmppStreamRequest,
    sink: StreamSink,
    signal: AbortSignal,
  ): Promise<void> {
    return requestContext.run(
      {
        correlationId: meta.correlationId,
        subject: Xmpp.HttpStream.subject,
        ...(meta.actor ? { actor: meta.actor } : {}),
      },
      () =>
        withExtractedContext(
          (k) => msg.headers?.get(k) || undefined,
          () =>
            withSpan(
              `nats handle ${Xmpp.HttpStream.subject}`,
              natsSpanAttributes(Xmpp.HttpStream.subject, 'process'),
              () => this.send.stream(input, sink, signal),
              { kind: SpanKind.SERVER },
            ),
        ),
    );
  }
}
