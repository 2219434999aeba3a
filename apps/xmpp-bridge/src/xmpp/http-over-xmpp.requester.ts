// Requests out: a `set` IQ to the peer's full JID (waiting for its presence when given a bare JID),
// in the dialect it last answered in, the other one tried once; the response back whole
// (`exchange`) or handed over as it arrives (`exchangeStream`). Every failure leaves as a DomainError.
import { DomainError } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { abortable } from '@switchboard/runtime';
import { type Element, xml } from '@xmpp/xml';
import { randomBytes } from 'node:crypto';
import type { Dialect } from '../config/bridge-settings.js';
import { bareOf } from '@switchboard/config';
import type { HeaderList, HttpRequestMessage, HttpResponseMessage } from '../http/http-message.js';
import { encodeBody } from './http-over-xmpp.body-codec.js';
import type { BodyStreams } from './http-over-xmpp.body-streams.js';
import { ExchangeCancelledError, toDomainError } from './http-over-xmpp.errors.js';
import type { HttpOverXmppOptions } from './http-over-xmpp.options.js';
import { parseResponse, requestElement, type WireResponse } from './http-over-xmpp.translator.js';
import type { PresenceDirectory } from './presence.directory.js';
import { bodyRoom, chunkBytesWithin } from './stanza.limits.js';
import { IqErrorReply, type XmppConnection, XmppUnavailableError } from './xmpp-connection.js';

/** The head of a streamed response, and the JID that answered. */
export interface StreamHead {
  status: number;
  statusText?: string;
  headers: HeaderList;
  via: string;
}

/** Where a streamed response goes as it arrives. */
export interface StreamSink {
  head(head: StreamHead): void;
  /** Body bytes in order, as the peer sent them. */
  data(bytes: Buffer): void;
}

export interface StreamExchangeOptions {
  /** Wait for the response head. */
  timeoutMs: number;
  /** Longest silence between two pieces of the body. */
  idleMs: number;
  maxBodyBytes: number;
  /** Aborting it closes the stream towards the peer (which aborts its local request). */
  signal: AbortSignal;
}

const other = (d: Dialect): Dialect => (d === 'xep' ? 'slixmpp' : 'xep');

export class HttpOverXmppRequester {
  /** The dialect each peer (bare JID) last answered in. */
  private readonly dialects = new Map<string, Dialect>();
  /**
   * IQ ids: unique per process and session, cheaper than a UUID each. Their guessability does not
   * matter: a result only counts when it comes from the JID the request went to (server-stamped).
   */
  private readonly idPrefix = `h${randomBytes(6).toString('base64url')}-`;
  private idCounter = 0;

  constructor(
    private readonly connection: XmppConnection,
    private readonly directory: PresenceDirectory,
    private readonly bodies: BodyStreams,
    private readonly options: HttpOverXmppOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * One request to `jid` (bare or full); resolves with the peer's response and who answered.
   * `maxBodyBytes` may lower the body limit for this exchange (what the caller's channel can carry).
   */
  async exchange(
    jid: string,
    request: HttpRequestMessage,
    timeoutMs: number,
    maxBodyBytes = this.options.maxBodyBytes,
  ): Promise<HttpResponseMessage & { via: string }> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    let endExchange: (() => void) | undefined;
    try {
      const full = await this.resolvePeer(jid, remaining);
      // Registered before the request goes: the response's chunks may overtake its IQ result.
      endExchange = this.bodies.beginExchange(full);
      const { response, answeredBy } = await this.roundTrip(full, request, {
        remaining,
        maxBodyBytes,
        ibb: false,
      });
      const responseBody = await this.bodies.decode(
        answeredBy,
        response.body,
        remaining(),
        maxBodyBytes,
      );
      return {
        status: response.status,
        ...(response.statusMessage ? { statusText: response.statusMessage } : {}),
        headers: response.headers,
        ...(responseBody ? { body: responseBody } : {}),
        via: answeredBy,
      };
    } catch (e) {
      throw toDomainError(e, { jid, timeoutMs, logger: this.logger });
    } finally {
      endExchange?.();
    }
  }

  /**
   * One request whose response is handed over as it arrives: the head as soon as the `<resp/>` is
   * in, then the body — inline at once, chunkedBase64 or IBB piece by piece, as the peer sends it.
   * Resolves at the end of the body. Aborting `signal` closes the stream towards the peer.
   */
  async exchangeStream(
    jid: string,
    request: HttpRequestMessage,
    options: StreamExchangeOptions,
    sink: StreamSink,
  ): Promise<void> {
    const { signal } = options;
    const deadline = Date.now() + options.timeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    let endExchange: (() => void) | undefined;
    try {
      if (signal.aborted) throw new ExchangeCancelledError();
      const full = await this.resolvePeer(jid, remaining);
      endExchange = this.bodies.beginExchange(full);
      const { response, answeredBy } = await this.roundTrip(full, request, {
        remaining,
        maxBodyBytes: options.maxBodyBytes,
        ibb: true,
        signal,
      });
      sink.head({
        status: response.status,
        ...(response.statusMessage ? { statusText: response.statusMessage } : {}),
        headers: response.headers,
        via: answeredBy,
      });
      await this.bodies.follow(answeredBy, response.body, options, sink);
    } catch (e) {
      throw toDomainError(e, { jid, timeoutMs: options.timeoutMs, logger: this.logger });
    } finally {
      endExchange?.();
    }
  }

  private nextId(): string {
    return `${this.idPrefix}${(++this.idCounter).toString(36)}`;
  }

  private async resolvePeer(jid: string, remaining: () => number): Promise<string> {
    if (!this.connection.online) throw new XmppUnavailableError(this.connection.describeOutage());
    const full = await this.directory.resolve(
      jid,
      Math.min(this.options.presenceWaitMs, remaining()),
    );
    this.directory.announceTo(full);
    return full;
  }

  /**
   * Sends the request (in the peer's dialect, trying the other one once) and waits for its result.
   * A cancel while waiting leaves a watcher that closes the response's body stream when it comes.
   */
  private async roundTrip(
    full: string,
    request: HttpRequestMessage,
    opts: {
      remaining: () => number;
      maxBodyBytes: number;
      ibb: boolean;
      signal?: AbortSignal;
    },
  ): Promise<{ response: WireResponse; answeredBy: string }> {
    const bare = bareOf(full);
    const first = this.dialects.get(bare) ?? this.options.dialect;
    // Everything that goes out fits the server's stanza limit: a larger stanza would end the session.
    const limit = this.connection.stanzaLimit;
    const chunkBytes = chunkBytesWithin(limit, full, this.options.chunkBytes);
    for (const dialect of [first, other(first)]) {
      const wire = {
        dialect,
        method: request.method,
        resource: request.resource,
        version: '1.1',
        maxChunkSize: chunkBytes,
        ibb: opts.ibb,
        headers: request.headers,
      };
      const attrs = { type: 'set', to: full, id: this.nextId() };
      const body = encodeBody({
        headers: request.headers,
        body: request.body,
        dialect,
        chunkBytes,
        maxBodyBytes: opts.maxBodyBytes,
        inlineMaxBytes: this.options.inlineMaxBytes,
        stanza: { room: bodyRoom(limit, xml('iq', attrs, requestElement(wire))), limit },
      });
      const iq = xml(
        'iq',
        attrs,
        requestElement({ ...wire, ...(body.wire ? { body: body.wire } : {}) }),
      );
      const reply = this.connection.request(iq, opts.remaining());
      if (body.chunks) void this.bodies.sendChunks(full, body.chunks);
      let result: Element;
      try {
        result = await (opts.signal ? this.untilAborted(reply, opts.signal) : reply);
      } catch (e) {
        // slixmpp answers an element it has no handler for with feature-not-implemented: try its names.
        if (
          e instanceof IqErrorReply &&
          e.error.condition === 'feature-not-implemented' &&
          dialect === first
        )
          continue;
        throw e;
      }
      this.dialects.set(bare, dialect);
      return { response: parseResponse(result), answeredBy: result.attrs['from'] ?? full };
    }
    throw new DomainError('UNSUPPORTED', `${full} implements neither XEP-0332 element dialect`);
  }

  /** The IQ result, or a cancel; a result that comes after a cancel gets its body stream closed. */
  private untilAborted(reply: Promise<Element>, signal: AbortSignal): Promise<Element> {
    return abortable(reply, signal, () => {
      reply.then(
        (late) => {
          try {
            const body = parseResponse(late).body;
            this.bodies.stopReceiving(late.attrs['from'] ?? '', body);
          } catch {
            // Not a response we could read: nothing to close.
          }
        },
        () => undefined,
      );
      return new ExchangeCancelledError();
    });
  }
}
