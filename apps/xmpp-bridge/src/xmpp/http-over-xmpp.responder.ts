// Requests in (server mode): `<req/>` (and slixmpp's `<request/>`) IQs from allowed full JIDs, their
// bodies read whole, handed to an HttpRequestServer; its answer goes back in the requester's dialect,
// a streamed body as chunks while the target writes it. Failures leave as stanza errors. Every answer
// fits the server's stanza limit: a body that does not is chunked, or refused to a requester that
// takes no chunks — the server would close the session over it.
import { isDomainError } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { randomBytes } from 'node:crypto';
import { bareOf } from '@switchboard/config';
import type { HttpRequestMessage, HttpResponseMessage } from '../http/http-message.js';
import { encodeBody, readWhole } from './http-over-xmpp.body-codec.js';
import type { BodyStreams } from './http-over-xmpp.body-streams.js';
import { toStanzaError } from './http-over-xmpp.errors.js';
import type { HttpOverXmppOptions } from './http-over-xmpp.options.js';
import {
  HeadersNotCarriedError,
  NS_HTTP,
  parseRequest,
  responseElement,
  type WireRequest,
} from './http-over-xmpp.translator.js';
import { bodyRoom, chunkBytesWithin, StanzaTooLargeError } from './stanza.limits.js';
import {
  type IqAnswer,
  StanzaErrorReply,
  type XmppConnection,
  XmppUnavailableError,
} from './xmpp-connection.js';

/** The side that answers requests (server mode). */
export interface HttpRequestServer {
  /** Whether requests from this bare JID are served at all (checked before any body is read). */
  authorize(bare: string): boolean;
  handle(from: string, request: HttpRequestMessage): Promise<HttpResponseMessage>;
}

export class HttpOverXmppResponder {
  constructor(
    private readonly connection: XmppConnection,
    private readonly bodies: BodyStreams,
    private readonly options: HttpOverXmppOptions,
    private readonly logger: Logger,
  ) {}

  /** Answers `<req/>` (and slixmpp's `<request/>`) IQs with `server`. */
  serve(server: HttpRequestServer): void {
    const handler = async (iq: Element, payload: Element): Promise<IqAnswer> => {
      const from = iq.attrs['from'];
      if (!from || !from.includes('/'))
        throw new StanzaErrorReply('modify', 'bad-request', 'requests must come from a full JID');
      if (!server.authorize(bareOf(from))) {
        this.logger.warn({ from }, 'refused an HTTP request from a JID that is not allowed');
        throw new StanzaErrorReply(
          'auth',
          'forbidden',
          `${bareOf(from)} may not send requests to this bridge`,
        );
      }
      let wire;
      try {
        wire = parseRequest(payload);
      } catch (e) {
        throw new StanzaErrorReply('modify', 'bad-request', (e as Error).message);
      }
      // Before the first await: the request's chunks follow its IQ and must find it registered.
      const endExchange = this.bodies.beginExchange(from);
      let response: HttpResponseMessage | undefined;
      try {
        const body = await this.bodies.decode(
          from,
          wire.body,
          this.options.bodyTimeoutMs,
          this.options.maxBodyBytes,
        );
        response = await server.handle(from, {
          method: wire.method,
          resource: wire.resource,
          headers: wire.headers,
          ...(body ? { body } : {}),
        });
        return await this.answer(iq, wire, response);
      } catch (e) {
        // The target answered, but the answer cannot go back: the exchange ends with this failure.
        response?.settled?.(outcomeOf(e));
        throw toStanzaError(e);
      } finally {
        endExchange();
      }
    };
    this.connection.handle(NS_HTTP, 'req', handler);
    this.connection.handle(NS_HTTP, 'request', handler);
  }

  /** The target's response as the IQ answer: inline, chunked, or streamed as the target writes it. */
  private async answer(
    iq: Element,
    wire: WireRequest,
    response: HttpResponseMessage,
  ): Promise<IqAnswer> {
    const to = iq.attrs['from'] ?? '';
    const limit = this.connection.stanzaLimit;
    const chunkBytes = chunkBytesWithin(
      limit,
      to,
      Math.min(this.options.chunkBytes, wire.maxChunkSize ?? this.options.chunkBytes),
    );
    const head = {
      dialect: wire.dialect,
      status: response.status,
      ...(response.statusText ? { statusMessage: response.statusText } : {}),
      version: '1.1',
      headers: response.headers,
    };
    const settle = (why?: Error) => response.settled?.(why ? outcomeOf(why) : undefined);
    const stream = response.stream;
    // slixmpp has no chunked transfer: a streamed body reaches it whole, at its end.
    if (stream && wire.dialect === 'xep') {
      // The <resp/> leaves now, with the headers; the body follows as the target writes it.
      const streamId = randomBytes(9).toString('base64url');
      return {
        payload: responseElement({ ...head, body: { kind: 'chunked', streamId } }),
        after: () => this.bodies.pump(to, streamId, stream, chunkBytes).finally(() => settle()),
        abandon: (why) => {
          stream.abort('the answer could not be sent');
          settle(why);
        },
      };
    }
    const whole = stream ? await readWhole(stream, this.options.maxBodyBytes) : response.body;
    const envelope = xml(
      'iq',
      { type: 'result', to, id: iq.attrs['id'] ?? '' },
      responseElement(head),
    );
    const encoded = encodeBody({
      headers: response.headers,
      body: whole,
      dialect: wire.dialect,
      chunkBytes,
      maxBodyBytes: this.options.maxBodyBytes,
      inlineMaxBytes: this.options.inlineMaxBytes,
      stanza: { room: bodyRoom(limit, envelope), limit },
    });
    const chunks = encoded.chunks;
    return {
      payload: responseElement({ ...head, ...(encoded.wire ? { body: encoded.wire } : {}) }),
      after: async () => {
        if (chunks) await this.bodies.sendChunks(to, chunks);
        settle();
      },
      abandon: settle,
    };
  }
}

/** The outcome an exchange is logged with when its answer could not be delivered. */
function outcomeOf(e: unknown): string {
  if (isDomainError(e)) return e.code;
  if (e instanceof StanzaTooLargeError) return 'PAYLOAD_TOO_LARGE';
  if (e instanceof XmppUnavailableError) return 'UPSTREAM_UNAVAILABLE';
  if (e instanceof HeadersNotCarriedError) return 'UNSUPPORTED';
  if (e instanceof StanzaErrorReply) return e.condition;
  return 'INTERNAL';
}
