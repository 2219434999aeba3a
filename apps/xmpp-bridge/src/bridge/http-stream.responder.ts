import { DomainError, Headers, isSafeToken, validationError, Xmpp } from '@switchboard/contracts';
import {
  type BusMessage,
  encodeJson,
  type HandlerObserver,
  type MessageMeta,
  readEnvelope,
  readMeta,
  refused,
  toErrorBody,
} from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { MachineInstance } from '@switchboard/contracts';
import type { StreamSink } from '../xmpp/http-over-xmpp.transport.js';
import {
  HTTP_STREAM,
  type HttpStreamPhase,
  type HttpStreamTrigger,
} from './http-stream.machine.js';

/** Body bytes per NATS message (base64 makes it 64 KiB, far below any max_payload). */
export const PART_BYTES = 48 * 1024;

/** A request the responder accepted: what to send over XMPP, and the caller's stream id. */
export interface AcceptedStream {
  input: Xmpp.HttpOverXmppStreamRequest;
  /** The request envelope's id, when it can name a cancel subject. */
  id: string | undefined;
}

/**
 * The NATS side of one streamed exchange: reads the request, and answers it part by part in `seq`
 * order as its phases (HTTP_STREAM, http-stream.machine.ts) allow — a part the contract or NATS could
 * not carry becomes an `error` part and ends the stream, and nothing follows a final phase.
 */
export class HttpStreamResponder {
  private readonly phase: MachineInstance<HttpStreamPhase, HttpStreamTrigger> = HTTP_STREAM.start();
  private seq = 0;
  readonly meta: MessageMeta;

  constructor(
    private readonly msg: BusMessage,
    private readonly maxPayload: number | undefined,
    private readonly logger: Logger,
    /** The service's command observer: a refusal is logged and counted as its own. */
    private readonly observer?: HandlerObserver,
  ) {
    this.meta = readMeta(msg.subject, msg.headers);
  }

  get state(): HttpStreamPhase {
    return this.phase.state;
  }

  /**
   * `received` → `serving`, or → `refused` with a VALIDATION error part: the same reading as every
   * other command (a body that is not the request envelope, or a request the contract refuses).
   */
  accept(): AcceptedStream | undefined {
    const envelope = readEnvelope(Xmpp.HttpStream.subject, this.msg.data);
    if (envelope instanceof DomainError) return this.refuse(envelope);
    const input = Xmpp.HttpStream.request.safeParse(envelope.data);
    if (!input.success)
      return this.refuse(validationError(`request on ${Xmpp.HttpStream.subject}`, input.error));
    this.phase.fire('accepted');
    const id =
      typeof envelope.id === 'string' && isSafeToken(envelope.id) ? envelope.id : undefined;
    return { input: input.data, id };
  }

  /** → `refused`: one log line, and the error part. */
  private refuse(error: DomainError): undefined {
    const { msg, meta } = this;
    refused(this.observer, Xmpp.HttpStream.subject, error.message, {
      bytes: msg.data.length,
      correlationId: meta.correlationId,
      source: msg.headers?.get(Headers.source) || undefined,
    });
    this.send({ kind: 'error', error: toErrorBody(error, meta.correlationId).body });
    this.phase.fire('refused');
    return undefined;
  }

  /** Where the exchange writes; `stop` is told when a part broke the stream. */
  sink(stop: (reason: DomainError) => void): StreamSink {
    return {
      head: (head) => {
        if (this.phase.can('head') && this.reply({ kind: 'head', ...head }))
          this.phase.fire('head');
      },
      data: (bytes) => {
        for (let offset = 0; offset < bytes.length; offset += PART_BYTES) {
          if (HTTP_STREAM.isFinal(this.phase.state)) break;
          const data = bytes.subarray(offset, offset + PART_BYTES).toString('base64');
          this.reply({ kind: 'body', data });
        }
        // The caller can no longer use the rest: stop the stream at its source.
        if (this.phase.state === 'broken') stop(new DomainError('CANCELLED', 'the stream broke'));
      },
    };
  }

  /** → `ended`: the last part. */
  end(): void {
    if (this.phase.can('end') && this.reply({ kind: 'end' })) this.phase.fire('end');
  }

  /**
   * → `cancelled` when the caller cancelled (nobody is listening any more); otherwise → `failed`
   * with the error part — the abort's own reason when the exchange was stopped for another one (the
   * bridge shutting down).
   */
  fail(e: unknown, signal: AbortSignal): void {
    if (!this.phase.can('failed')) return; // broken: its error part went out already
    const reason: unknown = signal.reason;
    if (signal.aborted && !(reason instanceof DomainError && reason.code !== 'CANCELLED')) {
      this.phase.fire('cancelled');
      return;
    }
    const { body, unexpected } = toErrorBody(signal.aborted ? reason : e, this.meta.correlationId);
    if (unexpected)
      this.logger.error({ err: e, errorId: body.errorId }, 'a streamed exchange failed');
    if (this.reply({ kind: 'error', error: body })) this.phase.fire('failed');
  }

  /** Sends a part; false (and → `broken`, an error part sent instead) when it cannot be carried. */
  private reply(part: Record<string, unknown>): boolean {
    const checked = Xmpp.HttpStreamPart.safeParse({ ...part, seq: this.seq });
    const bytes = checked.success ? encodeJson(checked.data) : undefined;
    if (bytes && !(this.maxPayload && bytes.length > this.maxPayload)) {
      this.send(bytes);
      return true;
    }
    // A peer's head the contract refuses (too many or too long headers), or one NATS cannot carry:
    // the caller gets a typed error instead of a part it would reject.
    const kind = part['kind'] as string;
    const error = checked.success
      ? new DomainError(
          'PAYLOAD_TOO_LARGE',
          `a ${kind} part does not fit in a NATS message (max_payload ${this.maxPayload} bytes)`,
        )
      : new DomainError('UPSTREAM_ERROR', validationError(`${kind} part`, checked.error).message);
    this.send({ kind: 'error', error: toErrorBody(error, this.meta.correlationId).body });
    this.phase.fire('broke');
    return false;
  }

  /** One NATS message to the caller's inbox, with the next `seq`; never throws into the exchange. */
  private send(part: Uint8Array | Record<string, unknown>): void {
    const bytes = part instanceof Uint8Array ? part : encodeJson({ ...part, seq: this.seq });
    this.seq++;
    try {
      this.msg.respond(bytes);
    } catch (e) {
      this.logger.warn({ err: e }, 'could not send a part of a streamed response');
    }
  }
}
