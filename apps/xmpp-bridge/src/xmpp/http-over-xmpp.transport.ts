// HTTP exchanges over the XMPP session (XEP-0332): requests out as `set` IQs to a peer's full JID,
// responses back as results; bodies inline (<text>, <base64>) up to a threshold and as chunkedBase64
// messages beyond it; both element dialects (XEP and slixmpp). Failures become DomainErrors here, the
// one place where XMPP conditions meet the platform's error vocabulary.
import { DomainError, isDomainError } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Dialect } from '../config/bridge-settings.js';
import {
  type HttpRequestMessage,
  type HttpResponseMessage,
  isTextBody,
  isXmlSafe,
} from '../http/http-message.js';
import { ChunkStreamError, ChunkStreams } from './chunk.streams.js';
import {
  chunkMessage,
  closeMessage,
  NS_BRIDGE_ERRORS,
  NS_HTTP,
  parseChunkMessage,
  parseRequest,
  parseResponse,
  requestElement,
  responseElement,
  type WireBody,
  WireFormatError,
} from './http-over-xmpp.translator.js';
import { PeerOfflineError, type PresenceDirectory } from './presence.directory.js';
import {
  IqErrorReply,
  StanzaErrorReply,
  type XmppConnection,
  XmppTimeoutError,
  XmppUnavailableError,
} from './xmpp-connection.js';
import { bareOf } from '../config/jid.js';

export interface HttpOverXmppOptions {
  inlineMaxBytes: number;
  chunkBytes: number;
  maxBodyBytes: number;
  presenceWaitMs: number;
  dialect: Dialect;
  /** How long a server-mode request may take to deliver its chunked body. */
  bodyTimeoutMs: number;
}

/** The side that answers requests (server mode). */
export interface HttpRequestServer {
  /** Whether requests from this bare JID are served at all (checked before any body is read). */
  authorize(bare: string): boolean;
  handle(from: string, request: HttpRequestMessage): Promise<HttpResponseMessage>;
}

interface EncodedBody {
  wire?: WireBody;
  chunks?: { streamId: string; body: Buffer; chunkBytes: number };
}

const other = (d: Dialect): Dialect => (d === 'xep' ? 'slixmpp' : 'xep');

export class HttpOverXmppTransport {
  private readonly streams: ChunkStreams;
  private readonly dialects = new Map<string, Dialect>();
  /** Streams we are sending that the receiver asked us to stop. */
  private readonly closedByPeer = new Set<string>();

  constructor(
    private readonly connection: XmppConnection,
    private readonly directory: PresenceDirectory,
    private readonly options: HttpOverXmppOptions,
    private readonly logger: Logger,
  ) {
    this.streams = new ChunkStreams(Math.max(options.maxBodyBytes * 2, 16 * 1024 * 1024));
  }

  /** Routes `<chunk/>` and `<close/>` messages (everything else is not ours). */
  onMessage(message: Element): void {
    const from = message.attrs['from'];
    if (!from || message.attrs['type'] === 'error') return;
    const frame = parseChunkMessage(message);
    if (!frame) return;
    if ('close' in frame) {
      this.closedByPeer.add(`${from}\n${frame.close}`);
      this.streams.onClose(from, frame.close);
      return;
    }
    const refused = this.streams.onChunk(from, frame);
    if (refused) this.connection.send(closeMessage(from, refused)).catch(() => undefined);
  }

  /** One request to `jid` (bare or full); resolves with the peer's response and who answered. */
  async exchange(
    jid: string,
    request: HttpRequestMessage,
    timeoutMs: number,
  ): Promise<HttpResponseMessage & { via: string }> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    try {
      if (!this.connection.online) throw new XmppUnavailableError(this.connection.describeOutage());
      const full = await this.directory.resolve(
        jid,
        Math.min(this.options.presenceWaitMs, remaining()),
      );
      const bare = bareOf(full);
      const first = this.dialects.get(bare) ?? this.options.dialect;
      for (const dialect of [first, other(first)]) {
        const body = this.encode(request.headers, request.body, dialect, this.options.chunkBytes);
        const iq = xml(
          'iq',
          { type: 'set', to: full, id: randomUUID() },
          requestElement({
            dialect,
            method: request.method,
            resource: request.resource,
            version: '1.1',
            maxChunkSize: this.options.chunkBytes,
            headers: request.headers,
            ...(body.wire ? { body: body.wire } : {}),
          }),
        );
        const reply = this.connection.request(iq, remaining());
        if (body.chunks) void this.sendChunks(full, body.chunks);
        let result: Element;
        try {
          result = await reply;
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
        const response = parseResponse(result);
        const answeredBy = result.attrs['from'] ?? full;
        const responseBody = await this.decode(answeredBy, response.body, remaining());
        return {
          status: response.status,
          ...(response.statusMessage ? { statusText: response.statusMessage } : {}),
          headers: response.headers,
          ...(responseBody ? { body: responseBody } : {}),
          via: answeredBy,
        };
      }
      throw new DomainError('UNSUPPORTED', `${jid} implements neither XEP-0332 element dialect`);
    } catch (e) {
      throw this.toDomainError(e, jid, timeoutMs);
    }
  }

  /** Server mode: answers `<req/>` (and slixmpp's `<request/>`) IQs with `server`. */
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
      try {
        const body = await this.decode(from, wire.body, this.options.bodyTimeoutMs);
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
        const encoded = this.encode(response.headers, response.body, wire.dialect, chunkBytes);
        const chunks = encoded.chunks;
        return {
          payload: responseElement({
            dialect: wire.dialect,
            status: response.status,
            ...(response.statusText ? { statusMessage: response.statusText } : {}),
            version: '1.1',
            headers: response.headers,
            ...(encoded.wire ? { body: encoded.wire } : {}),
          }),
          ...(chunks ? { after: () => this.sendChunks(from, chunks) } : {}),
        };
      } catch (e) {
        throw toStanzaError(e);
      }
    };
    this.connection.handle(NS_HTTP, 'req', handler);
    this.connection.handle(NS_HTTP, 'request', handler);
  }

  private encode(
    headers: HttpRequestMessage['headers'],
    body: Buffer | undefined,
    dialect: Dialect,
    chunkBytes: number,
  ): EncodedBody {
    if (!body || body.length === 0) return {};
    if (body.length > this.options.maxBodyBytes) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `the body (${body.length} bytes) exceeds the bridge limit of ${this.options.maxBodyBytes} bytes`,
        {
          details: { bytes: body.length, limit: this.options.maxBodyBytes },
        },
      );
    }
    // slixmpp has no chunked transfer: everything goes inline to it.
    const inlineOnly = dialect === 'slixmpp';
    if (isTextBody(headers, body)) {
      const text = body.toString('utf8');
      if (isXmlSafe(text) && (inlineOnly || body.length <= this.options.inlineMaxBytes))
        return { wire: { kind: 'text', text } };
    }
    if (inlineOnly || Math.ceil(body.length / 3) * 4 <= this.options.inlineMaxBytes) {
      return { wire: { kind: 'base64', data: body.toString('base64') } };
    }
    const streamId = randomBytes(9).toString('base64url');
    return { wire: { kind: 'chunked', streamId }, chunks: { streamId, body, chunkBytes } };
  }

  private async decode(
    from: string,
    body: WireBody | undefined,
    timeoutMs: number,
  ): Promise<Buffer | undefined> {
    if (!body) return undefined;
    let bytes: Buffer;
    switch (body.kind) {
      case 'text':
        bytes = Buffer.from(body.text, 'utf8');
        break;
      case 'xml':
        bytes = Buffer.from(body.xml, 'utf8');
        break;
      case 'base64':
        bytes = Buffer.from(body.data, 'base64');
        break;
      case 'chunked':
        return this.streams.expect(from, body.streamId, timeoutMs, this.options.maxBodyBytes);
      case 'unsupported':
        throw new DomainError(
          'UNSUPPORTED',
          `body transfer <${body.name}/> is not supported (only text, xml, base64 and chunkedBase64)`,
        );
    }
    if (bytes.length > this.options.maxBodyBytes) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `the body (${bytes.length} bytes) exceeds the bridge limit of ${this.options.maxBodyBytes} bytes`,
        {
          details: { bytes: bytes.length, limit: this.options.maxBodyBytes },
        },
      );
    }
    return bytes;
  }

  private async sendChunks(to: string, chunks: NonNullable<EncodedBody['chunks']>): Promise<void> {
    const { streamId, body, chunkBytes } = chunks;
    const key = `${to}\n${streamId}`;
    try {
      for (let nr = 0, offset = 0; offset < body.length; nr++, offset += chunkBytes) {
        if (this.closedByPeer.has(key)) return;
        const last = offset + chunkBytes >= body.length;
        await this.connection.send(
          chunkMessage(to, {
            streamId,
            nr,
            data: body.subarray(offset, offset + chunkBytes).toString('base64'),
            last,
          }),
        );
      }
    } catch (e) {
      this.logger.warn(
        { to, streamId, err: (e as Error).message },
        'sending a chunked body failed',
      );
    } finally {
      this.closedByPeer.delete(key);
    }
  }

  private toDomainError(e: unknown, jid: string, timeoutMs: number): DomainError {
    if (isDomainError(e)) return e;
    if (e instanceof XmppUnavailableError) {
      return new DomainError('UPSTREAM_UNAVAILABLE', `xmpp bridge unavailable: ${e.message}`, {
        retryable: true,
        details: { reason: 'bridge-disconnected' },
      });
    }
    if (e instanceof PeerOfflineError) {
      return new DomainError('UPSTREAM_UNAVAILABLE', e.message, {
        retryable: true,
        details: { reason: 'peer-offline', jid },
      });
    }
    if (e instanceof XmppTimeoutError) {
      return new DomainError('TIMEOUT', `${jid} did not answer within ${timeoutMs} ms`, {
        retryable: true,
        details: { jid, timeoutMs },
      });
    }
    if (e instanceof ChunkStreamError) {
      return e.reason === 'too-large'
        ? new DomainError('PAYLOAD_TOO_LARGE', `the response body from ${jid}: ${e.message}`)
        : e.reason === 'timeout'
          ? new DomainError('TIMEOUT', `the response body from ${jid}: ${e.message}`, {
              retryable: true,
            })
          : new DomainError('UPSTREAM_ERROR', `the response body from ${jid}: ${e.message}`);
    }
    if (e instanceof WireFormatError)
      return new DomainError(
        'UPSTREAM_ERROR',
        `${jid} sent an invalid XEP-0332 response: ${e.message}`,
      );
    if (e instanceof IqErrorReply) return iqErrorToDomain(e, jid);
    this.logger.error({ err: e }, 'unexpected failure of an HTTP-over-XMPP exchange');
    return new DomainError('INTERNAL', 'the exchange failed unexpectedly');
  }
}

/** An XMPP error from the peer (or its server), in the platform's vocabulary. */
export function iqErrorToDomain(e: IqErrorReply, jid: string): DomainError {
  const said = `${jid} answered ${e.error.condition}${e.error.text ? ` (${e.error.text})` : ''}`;
  const details = { jid, condition: e.error.condition };
  if (e.error.app === 'payload-too-large')
    return new DomainError('PAYLOAD_TOO_LARGE', said, { details });
  switch (e.error.condition) {
    case 'forbidden':
    case 'not-authorized':
    case 'registration-required':
    case 'subscription-required':
      return new DomainError('FORBIDDEN', said, { details });
    case 'service-unavailable':
    case 'recipient-unavailable':
    case 'item-not-found':
    case 'remote-server-not-found':
    case 'gone':
    case 'redirect':
      return new DomainError('UPSTREAM_UNAVAILABLE', said, { details, retryable: true });
    case 'remote-server-timeout':
      return new DomainError('TIMEOUT', said, { details, retryable: true });
    case 'resource-constraint':
      return new DomainError('RATE_LIMITED', said, { details, retryable: true });
    case 'feature-not-implemented':
      return new DomainError('UNSUPPORTED', said, { details });
    case 'bad-request':
    case 'jid-malformed':
      return new DomainError('VALIDATION', said, { details });
    default:
      return new DomainError('UPSTREAM_ERROR', said, { details });
  }
}

/** A server-mode failure as the XMPP error the requester receives. */
function toStanzaError(e: unknown): StanzaErrorReply {
  if (e instanceof StanzaErrorReply) return e;
  if (e instanceof ChunkStreamError) {
    return e.reason === 'too-large'
      ? new StanzaErrorReply(
          'modify',
          'not-acceptable',
          e.message,
          xml('payload-too-large', { xmlns: NS_BRIDGE_ERRORS }),
        )
      : new StanzaErrorReply('modify', 'bad-request', e.message);
  }
  if (isDomainError(e)) {
    switch (e.code) {
      case 'PAYLOAD_TOO_LARGE':
        return new StanzaErrorReply(
          'modify',
          'not-acceptable',
          e.message,
          xml('payload-too-large', { xmlns: NS_BRIDGE_ERRORS }),
        );
      case 'FORBIDDEN':
        return new StanzaErrorReply('auth', 'forbidden', e.message);
      case 'VALIDATION':
        return new StanzaErrorReply('modify', 'bad-request', e.message);
      case 'UNSUPPORTED':
        return new StanzaErrorReply('cancel', 'feature-not-implemented', e.message);
      case 'TIMEOUT':
        return new StanzaErrorReply('wait', 'remote-server-timeout', e.message);
      default:
        return new StanzaErrorReply('wait', 'internal-server-error', e.message);
    }
  }
  throw e;
}
