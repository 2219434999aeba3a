import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DomainError, Headers, isSafeToken, validationError, Xmpp } from '@switchboard/contracts';
import {
  type BusMessage,
  type BusSubscription,
  encodeJson,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  NatsBus,
  natsSpanAttributes,
  readEnvelope,
  readMeta,
  refused,
  startHeartbeat,
  toErrorBody,
} from '@switchboard/messaging';
import {
  LOGGER,
  type Logger,
  requestContext,
  SpanKind,
  withExtractedContext,
  withSpan,
} from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import type { StreamSink } from '../xmpp/http-over-xmpp.transport.js';
import { SendHttpRequestUseCase } from './send-http-request.use-case.js';

/** Body bytes per NATS message (base64 makes it 64 KiB, far below any max_payload). */
const PART_BYTES = 48 * 1024;

/** The token of the cancel subject that names the stream (`sb.ctl.xmpp.http.stream.<id>.cancel`). */
const CANCEL_ID_TOKEN = Xmpp.HttpStreamCancel.pattern.split('.').indexOf('*');

/**
 * NATS adapter of `Xmpp.HttpStream` (the platform bridge only): a request whose response goes back
 * as several messages to its inbox, each as soon as XMPP delivers it — which `@HandleCommand`, one
 * reply per request, cannot do. Served in the service's queue group like the other commands; the
 * cancel subject is heard by every replica, and the one carrying the stream stops it. From the moment
 * it takes a request until its last part, it also sends heartbeats (no `seq`), so the caller notices
 * within a few of them when this process dies, however long the peer is silent.
 */
@Injectable()
export class HttpStreamHandler implements OnModuleInit, OnApplicationShutdown {
  private readonly subscriptions: BusSubscription[] = [];
  /** Streams in progress, by the request envelope's id (the cancel subject's token). */
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly send: SendHttpRequestUseCase,
    private readonly bus: NatsBus,
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

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

  // eslint-disable-next-line max-lines-per-function -- a state machine written as one closure; to become explicit states with transition tests (docs/architecture.md, Long functions)
  private serve(msg: BusMessage): void {
    if (!msg.reply) return;
    const meta = readMeta(msg.subject, msg.headers);
    let seq = 0;
    let failed = false;
    const maxPayload = this.bus.maxPayload;
    const reply = (part: Record<string, unknown>) => {
      const checked = Xmpp.HttpStreamPart.safeParse({ ...part, seq });
      let bytes = checked.success ? encodeJson(checked.data) : undefined;
      if (!checked.success || (maxPayload && (bytes?.length ?? 0) > maxPayload)) {
        // A peer's head the contract refuses (too many or too long headers), or one NATS cannot
        // carry: the caller gets a typed error instead of a part it would reject.
        const error = checked.success
          ? new DomainError(
              'PAYLOAD_TOO_LARGE',
              `a ${part['kind'] as string} part does not fit in a NATS message (max_payload ${maxPayload} bytes)`,
            )
          : new DomainError(
              'UPSTREAM_ERROR',
              validationError(`${part['kind'] as string} part`, checked.error).message,
            );
        bytes = encodeJson({
          kind: 'error',
          seq,
          error: toErrorBody(error, meta.correlationId).body,
        });
        failed = true;
      }
      seq++;
      try {
        msg.respond(bytes);
      } catch (e) {
        this.logger.warn({ err: e }, 'could not send a part of a streamed response');
      }
    };
    // The same reading as every other command: a body that is not the request envelope is refused
    // with a VALIDATION error naming the problem, and one log line.
    const about = {
      bytes: msg.data.length,
      correlationId: meta.correlationId,
      source: msg.headers?.get(Headers.source) || undefined,
    };
    const envelope = readEnvelope(Xmpp.HttpStream.subject, msg.data);
    if (envelope instanceof DomainError) {
      refused(Xmpp.HttpStream.subject, envelope.message, about);
      reply({ kind: 'error', error: toErrorBody(envelope, meta.correlationId).body });
      return;
    }
    const input = Xmpp.HttpStream.request.safeParse(envelope.data);
    if (!input.success) {
      const error = validationError(`request on ${Xmpp.HttpStream.subject}`, input.error);
      refused(Xmpp.HttpStream.subject, error.message, about);
      reply({ kind: 'error', error: toErrorBody(error, meta.correlationId).body });
      return;
    }
    const rawId = envelope.id;
    const id = typeof rawId === 'string' && isSafeToken(rawId) ? rawId : undefined;
    const controller = new AbortController();
    if (id) this.running.set(id, controller);
    const stopBeats = startHeartbeat(
      (beat) => msg.respond(encodeJson(beat)),
      this.settings.streamHeartbeatMs,
    );
    const sink: StreamSink = {
      head: (head) => {
        if (!failed) reply({ kind: 'head', ...head });
      },
      data: (bytes) => {
        for (let offset = 0; offset < bytes.length && !failed; offset += PART_BYTES)
          reply({
            kind: 'body',
            data: bytes.subarray(offset, offset + PART_BYTES).toString('base64'),
          });
        // The caller can no longer use the rest: stop the stream at its source.
        if (failed) controller.abort(new DomainError('CANCELLED', 'the stream broke'));
      },
    };
    void requestContext
      .run(
        {
          correlationId: meta.correlationId,
          subject: Xmpp.HttpStream.subject,
          ...(meta.actor ? { actor: meta.actor } : {}),
        },
        // In the caller's trace, like every handled command.
        () =>
          withExtractedContext(
            (k) => msg.headers?.get(k) || undefined,
            () =>
              withSpan(
                `nats handle ${Xmpp.HttpStream.subject}`,
                natsSpanAttributes(Xmpp.HttpStream.subject, 'process'),
                () => this.send.stream(input.data, sink, controller.signal),
                { kind: SpanKind.SERVER },
              ),
          ),
      )
      .then(
        () => {
          stopBeats();
          if (!failed) reply({ kind: 'end' });
        },
        (e: unknown) => {
          stopBeats();
          if (failed) return;
          const reason: unknown = controller.signal.reason;
          // Cancelled by the caller: nobody is listening any more. Stopped for another reason (the
          // bridge shutting down): that reason is the error.
          if (
            controller.signal.aborted &&
            !(reason instanceof DomainError && reason.code !== 'CANCELLED')
          )
            return;
          const { body, unexpected } = toErrorBody(
            controller.signal.aborted ? reason : e,
            meta.correlationId,
          );
          if (unexpected)
            this.logger.error({ err: e, errorId: body.errorId }, 'a streamed exchange failed');
          reply({ kind: 'error', error: body });
        },
      )
      .finally(() => {
        stopBeats();
        if (id) this.running.delete(id);
      });
  }
}
