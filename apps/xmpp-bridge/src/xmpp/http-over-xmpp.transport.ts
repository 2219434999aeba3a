// HTTP exchanges over the XMPP session (XEP-0332): requests out as `set` IQs to a peer's full JID,
// responses back as results; bodies inline (<text>, <base64>) up to a threshold and as chunkedBase64
// messages beyond it; both element dialects (XEP and slixmpp). This class is the session's one entry
// point and wires the parts: the requester (requests out), the responder (server mode) and the body
// streams both use (chunks and IBB, either way). Inline bodies: body-codec; DomainErrors: errors.
import type { Logger } from '@switchboard/observability';
import type { Element } from '@xmpp/xml';
import type { HttpRequestMessage, HttpResponseMessage } from '../http/http-message.js';
import { BodyStreams } from './http-over-xmpp.body-streams.js';
import type { HttpOverXmppOptions } from './http-over-xmpp.options.js';
import {
  HttpOverXmppRequester,
  type StreamExchangeOptions,
  type StreamSink,
} from './http-over-xmpp.requester.js';
import { type HttpRequestServer, HttpOverXmppResponder } from './http-over-xmpp.responder.js';
import { PeerGoneError, type PresenceDirectory } from './presence.directory.js';
import type { XmppConnection } from './xmpp-connection.js';

export { ExchangeCancelledError, iqErrorToDomain } from './http-over-xmpp.errors.js';
export type { HttpOverXmppOptions } from './http-over-xmpp.options.js';
export type { StreamExchangeOptions, StreamHead, StreamSink } from './http-over-xmpp.requester.js';
export type { HttpRequestServer } from './http-over-xmpp.responder.js';

export class HttpOverXmppTransport {
  private readonly bodies: BodyStreams;
  private readonly requester: HttpOverXmppRequester;
  private readonly responder: HttpOverXmppResponder;

  constructor(
    private readonly connection: XmppConnection,
    private readonly directory: PresenceDirectory,
    options: HttpOverXmppOptions,
    logger: Logger,
  ) {
    this.bodies = new BodyStreams(connection, options.maxBodyBytes, logger);
    this.requester = new HttpOverXmppRequester(connection, directory, this.bodies, options, logger);
    this.responder = new HttpOverXmppResponder(connection, this.bodies, options, logger);
  }

  /** Messages of the session: chunk, close and IBB data frames are ours, the rest is ignored. */
  onMessage(message: Element): void {
    this.bodies.onMessage(message);
  }

  /**
   * The session is gone (called once the connection has rejected its pending IQs): bodies still
   * arriving, chunks still to send and requests waiting for a presence all end now with `error`,
   * instead of at their timeouts.
   */
  onOffline(error: Error): void {
    this.bodies.onOffline(error);
    this.directory.offline(error);
  }

  /**
   * A peer's resource (or, bare, all of them) announced itself unavailable: every exchange in
   * progress with it fails now (UPSTREAM_UNAVAILABLE, `peer-offline`) — waiting for its answer,
   * receiving its body — rather than at its timeout, and bodies we send it stop.
   */
  onPeerGone(jid: string): void {
    const error = new PeerGoneError(jid);
    this.connection.rejectPendingTo(jid, error);
    this.bodies.onPeerGone(jid, error);
  }

  /**
   * One request to `jid` (bare or full); resolves with the peer's response and who answered.
   * `maxBodyBytes` may lower the body limit for this exchange (what the caller's channel can carry).
   */
  exchange(
    jid: string,
    request: HttpRequestMessage,
    timeoutMs: number,
    maxBodyBytes?: number,
  ): Promise<HttpResponseMessage & { via: string }> {
    return this.requester.exchange(jid, request, timeoutMs, maxBodyBytes);
  }

  /**
   * One request whose response is handed over as it arrives: the head, then the body piece by
   * piece; resolves at the end of the body. Aborting `options.signal` closes the stream to the peer.
   */
  exchangeStream(
    jid: string,
    request: HttpRequestMessage,
    options: StreamExchangeOptions,
    sink: StreamSink,
  ): Promise<void> {
    return this.requester.exchangeStream(jid, request, options, sink);
  }

  /** Server mode: answers `<req/>` (and slixmpp's `<request/>`) IQs with `server`. */
  serve(server: HttpRequestServer): void {
    this.responder.serve(server);
  }
}
