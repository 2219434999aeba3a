// Requests in (server mode): `<req/>` (and slixmpp's `<request/>`) IQs from allowed full JIDs, their
// bodies read whole, handed to an HttpRequestServer; its answer goes back in the requester's dialect,
// a streamed body as chunks while the target writes it. Failures leave as stanza errors.
import type { Logger } from '@switchboard/observability';
import type { Element } from '@xmpp/xml';
import { randomBytes } from 'node:crypto';
import { bareOf } from '../config/jid.js';
import type { HttpRequestMessage, HttpResponseMessage } from '../http/http-message.js';
import { encodeBody, readWhole } from './http-over-xmpp.body-codec.js';
import type { BodyStreams } from './http-over-xmpp.body-streams.js';
import { toStanzaError } from './http-over-xmpp.errors.js';
import type { HttpOverXmppOptions } from './http-over-xmpp.options.js';
import { NS_HTTP, parseRequest, responseElement } from './http-over-xmpp.translator.js';
import { StanzaErrorReply, type XmppConnection } from './xmpp-connection.js';

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
    const handler = async (iq: Element, payload: Element) => {
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
      try {
        const body = await this.bodies.decode(
          from,
          wire.body,
          this.options.bodyTimeoutMs,
          this.options.maxBodyBytes,
        );
        const response = await server.handle(from, {
          method: wire.method,
          resource: wire.resource,
          headers: wire.headers,
          ...(body ? { body } : {}),
        });
        const chunkBytes = Math.min(
          this.options.chunkBytes,
          wire.maxChunkSize ?? this.options.chunkBytes,
        );
        const head = {
          dialect: wire.dialect,
          status: response.status,
          ...(response.statusText ? { statusMessage: response.statusText } : {}),
          version: '1.1',
          headers: response.headers,
        };
        const stream = response.stream;
        // slixmpp has no chunked transfer: a streamed body reaches it whole, at its end.
        if (stream && wire.dialect === 'xep') {
          // The <resp/> leaves now, with the headers; the body follows as the target writes it.
          const streamId = randomBytes(9).toString('base64url');
          return {
            payload: responseElement({ ...head, body: { kind: 'chunked', streamId } }),
            after: () => this.bodies.pump(from, streamId, stream, chunkBytes),
            abandon: () => stream.abort('the answer could not be sent'),
          };
        }
        const whole = stream ? await readWhole(stream, this.options.maxBodyBytes) : response.body;
        const encoded = encodeBody({
          headers: response.headers,
          body: whole,
          dialect: wire.dialect,
          chunkBytes,
          maxBodyBytes: this.options.maxBodyBytes,
          inlineMaxBytes: this.options.inlineMaxBytes,
        });
        const chunks = encoded.chunks;
        return {
          payload: responseElement({
            ...head,
            ...(encoded.wire ? { body: encoded.wire } : {}),
          }),
          ...(chunks ? { after: () => this.bodies.sendChunks(from, chunks) } : {}),
        };
      } catch (e) {
        throw toStanzaError(e);
      } finally {
        endExchange();
      }
    };
    this.connection.handle(NS_HTTP, 'req', handler);
    this.connection.handle(NS_HTTP, 'request', handler);
  }
}
