// HTTP exchanges over the XMPP session (XEP-0332): requests out as `set` IQs to a peer's full JID,
// responses back as results; bodies inline (<text>, <base64>) up to a threshold and as chunkedBase64
// messages beyond it; both element dialects (XEP and slixmpp). Failures become DomainErrors here, the
// one place where XMPP conditions meet the platform's error vocabulary.
import { DomainError, isDomainError } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { randomBytes } from 'node:crypto';
import type { Dialect } from '../config/bridge-settings.js';
import {
  type BodyStream,
  type HeaderList,
  type HttpRequestMessage,
  type HttpResponseMessage,
  isTextBody,
  xmlTextLengthOfUtf8,
} from '../http/http-message.js';
import { ChunkStreamError, ChunkStreams } from './chunk.streams.js';
import {
  chunkMessage,
  closeMessage,
  ibbClose,
  NS_BRIDGE_ERRORS,
  NS_HTTP,
  NS_IBB,
  parseChunkMessage,
  parseIbb,
  parseRequest,
  parseResponse,
  requestElement,
  responseElement,
  type WireBody,
  WireFormatError,
  type WireResponse,
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

/** The caller stopped a streamed exchange. */
export class ExchangeCancelledError extends DomainError {
  constructor(message = 'the exchange was cancelled') {
    super('CANCELLED', message);
    this.name = 'ExchangeCancelledError';
  }
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

/** A stream we send: whether its receiver closed it, and how to stop its source at once. */
interface Sending {
  closed: boolean;
  stop?: (why: string) => void;
}

/** An in-band bytestream a peer opened to us: its 16-bit `seq` counted on as chunk numbers. */
interface IbbIn {
  count: number;
}

/** IBB streams are reassembled as chunk streams under this prefix (no clash with a chunk streamId). */
const ibbStreamId = (sid: string) => `ibb\n${sid}`;

/** A full JID as the server routes it: local part and domain are case-insensitive, the resource is not. */
function jidKey(jid: string): string {
  const slash = jid.indexOf('/');
  return slash === -1
    ? jid.toLowerCase()
    : `${jid.slice(0, slash).toLowerCase()}${jid.slice(slash)}`;
}

export class HttpOverXmppTransport {
  private readonly streams: ChunkStreams;
  private readonly dialects = new Map<string, Dialect>();
  /** Peers (full JIDs) with an exchange in progress, either way: the only senders of chunks we take. */
  private readonly peers = new Map<string, number>();
  /** Streams we are sending (`to\nstreamId`), and whether the receiver asked us to stop. */
  private readonly sending = new Map<string, Sending>();
  /** In-band bytestreams peers opened to us (`from\nsid`). */
  private readonly ibbIn = new Map<string, IbbIn>();
  /** Bumped when the session goes: chunk sends of an earlier session stop. */
  private session = 0;
  /**
   * IQ ids: unique per process and session, cheaper than a UUID each. Their guessability does not
   * matter: a result only counts when it comes from the JID the request went to (server-stamped).
   */
  private readonly idPrefix = `h${randomBytes(6).toString('base64url')}-`;
  private idCounter = 0;

  constructor(
    private readonly connection: XmppConnection,
    private readonly directory: PresenceDirectory,
    private readonly options: HttpOverXmppOptions,
    private readonly logger: Logger,
  ) {
    this.streams = new ChunkStreams(Math.max(options.maxBodyBytes * 2, 16 * 1024 * 1024));
    const ibb = (iq: Element, payload: Element) => this.onIbbIq(iq, payload);
    for (const name of ['open', 'data', 'close']) connection.handle(NS_IBB, name, ibb);
  }

  /**
   * Routes `<chunk/>` and `<close/>` messages (everything else is not ours). Only a peer we are
   * exchanging with may send chunks (anyone else could fill the reassembly buffers), and a close only
   * counts for a stream we are sending to the JID that sends it.
   */
  onMessage(message: Element): void {
    const from = message.attrs['from'];
    if (!from || message.attrs['type'] === 'error') return;
    const frame = parseChunkMessage(message);
    if (!frame) {
      const ibb = parseIbb(message);
      if (ibb?.kind === 'data') this.onIbbData(from, ibb.sid, ibb.seq, ibb.data);
      return;
    }
    const peer = jidKey(from);
    const exchanging = this.peers.has(peer);
    if ('close' in frame) {
      // Either "stop sending me stream X" (one we send to this JID) or "I give up on stream X".
      const sending = this.sending.get(`${peer}\n${frame.close}`);
      if (sending && !sending.closed) {
        sending.closed = true;
        sending.stop?.('the receiver closed the stream');
      }
      if (exchanging) this.streams.onClose(from, frame.close, frame.reason);
      return;
    }
    if (!exchanging) {
      this.logger.debug({ from }, 'ignored a chunk from a JID with no exchange in progress');
      return;
    }
    const refused = this.streams.onChunk(from, frame);
    if (refused) this.connection.send(closeMessage(from, refused)).catch(() => undefined);
  }

  /**
   * The session is gone (called once the connection has rejected its pending IQs): bodies still
   * arriving, chunks still to send and requests waiting for a presence all end now with `error`,
   * instead of at their timeouts.
   */
  onOffline(error: Error): void {
    this.session++;
    this.streams.failAll(error);
    this.ibbIn.clear();
    // Streamed bodies we send stop reading their source now, not at their next piece.
    for (const sending of this.sending.values()) sending.stop?.('the XMPP session was lost');
    this.directory.offline(error);
  }

  /** XEP-0047 IQs (open, data, close): taken only from a peer we are exchanging with. */
  private onIbbIq(iq: Element, payload: Element): undefined {
    const from = iq.attrs['from'] ?? '';
    const frame = parseIbb(payload);
    if (!frame) throw new StanzaErrorReply('modify', 'bad-request', 'not an IBB frame');
    if (!this.peers.has(jidKey(from)))
      throw new StanzaErrorReply('cancel', 'not-acceptable', 'no exchange in progress with you');
    const key = `${jidKey(from)}\n${frame.sid}`;
    switch (frame.kind) {
      case 'open':
        this.ibbIn.set(key, { count: 0 });
        return undefined;
      case 'data':
        if (!this.onIbbData(from, frame.sid, frame.seq, frame.data))
          throw new StanzaErrorReply('cancel', 'item-not-found', 'unknown or broken stream');
        return undefined;
      case 'close': {
        const stream = this.ibbIn.get(key);
        this.ibbIn.delete(key);
        if (!stream) throw new StanzaErrorReply('cancel', 'item-not-found', 'unknown stream');
        // The end of the body: an empty last chunk after the others.
        this.streams.onChunk(from, {
          streamId: ibbStreamId(frame.sid),
          nr: stream.count,
          data: '',
          last: true,
        });
        return undefined;
      }
    }
  }

  /** One IBB data packet, in order (its `seq` wraps at 65536); false when the stream is refused. */
  private onIbbData(from: string, sid: string, seq: number, data: string): boolean {
    const key = `${jidKey(from)}\n${sid}`;
    const stream = this.ibbIn.get(key);
    if (!stream || !this.peers.has(jidKey(from))) return false;
    const streamId = ibbStreamId(sid);
    if (seq !== stream.count % 65_536) {
      this.ibbIn.delete(key);
      this.streams.onClose(from, streamId);
      this.connection.send(ibbClose(from, sid)).catch(() => undefined);
      return false;
    }
    const refused = this.streams.onChunk(from, { streamId, nr: stream.count++, data, last: false });
    if (refused) {
      this.ibbIn.delete(key);
      this.connection.send(ibbClose(from, sid)).catch(() => undefined);
      return false;
    }
    return true;
  }

  private nextId(): string {
    return `${this.idPrefix}${(++this.idCounter).toString(36)}`;
  }

  private beginExchange(jid: string): () => void {
    const key = jidKey(jid);
    this.peers.set(key, (this.peers.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.peers.get(key) ?? 1) - 1;
      if (n > 0) this.peers.set(key, n);
      else this.peers.delete(key);
    };
  }

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
      endExchange = this.beginExchange(full);
      const { response, answeredBy } = await this.roundTrip(full, request, {
        remaining,
        maxBodyBytes,
        ibb: false,
      });
      const responseBody = await this.decode(answeredBy, response.body, remaining(), maxBodyBytes);
      return {
        status: response.status,
        ...(response.statusMessage ? { statusText: response.statusMessage } : {}),
        headers: response.headers,
        ...(responseBody ? { body: responseBody } : {}),
        via: answeredBy,
      };
    } catch (e) {
      throw this.toDomainError(e, jid, timeoutMs);
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
      endExchange = this.beginExchange(full);
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
      await this.receiveBody(answeredBy, response.body, options, sink);
    } catch (e) {
      throw this.toDomainError(e, jid, options.timeoutMs);
    } finally {
      endExchange?.();
    }
  }

  private async resolvePeer(jid: string, remaining: () => number): Promise<string> {
    if (!this.connection.online) throw new XmppUnavailableError(this.connection.describeOutage());
    return this.directory.resolve(jid, Math.min(this.options.presenceWaitMs, remaining()));
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
    for (const dialect of [first, other(first)]) {
      const body = this.encode(
        request.headers,
        request.body,
        dialect,
        this.options.chunkBytes,
        opts.maxBodyBytes,
      );
      const iq = xml(
        'iq',
        { type: 'set', to: full, id: this.nextId() },
        requestElement({
          dialect,
          method: request.method,
          resource: request.resource,
          version: '1.1',
          maxChunkSize: this.options.chunkBytes,
          ibb: opts.ibb,
          headers: request.headers,
          ...(body.wire ? { body: body.wire } : {}),
        }),
      );
      const reply = this.connection.request(iq, opts.remaining());
      if (body.chunks) void this.sendChunks(full, body.chunks);
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
    return new Promise<Element>((resolve, reject) => {
      const onAbort = () => {
        reject(new ExchangeCancelledError());
        reply.then(
          (late) => {
            try {
              const body = parseResponse(late).body;
              this.stopReceiving(late.attrs['from'] ?? '', body);
            } catch {
              // Not a response we could read: nothing to close.
            }
          },
          () => undefined,
        );
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      reply.then(
        (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e as Error);
        },
      );
    });
  }

  /** Asks the sender of a response body to stop sending it (XEP-0332 close, or an IBB close). */
  private stopReceiving(from: string, body: WireBody | undefined): void {
    if (!from || !body) return;
    const frame =
      body.kind === 'chunked'
        ? closeMessage(from, body.streamId)
        : body.kind === 'ibb'
          ? ibbClose(from, body.sid)
          : undefined;
    if (body.kind === 'ibb') this.ibbIn.delete(`${jidKey(from)}\n${body.sid}`);
    if (frame) this.connection.send(frame).catch(() => undefined);
  }

  /** Hands a streamed response's body to `sink` as it arrives; resolves at its end. */
  private receiveBody(
    from: string,
    body: WireBody | undefined,
    options: StreamExchangeOptions,
    sink: StreamSink,
  ): Promise<void> {
    if (!body) return Promise.resolve();
    if (body.kind !== 'chunked' && body.kind !== 'ibb') {
      return this.decode(from, body, 1, options.maxBodyBytes).then((bytes) => {
        if (bytes?.length) sink.data(bytes);
      });
    }
    if (!this.connection.online)
      return Promise.reject(new XmppUnavailableError(this.connection.describeOutage()));
    const streamId = body.kind === 'chunked' ? body.streamId : ibbStreamId(body.sid);
    const { signal } = options;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (e?: Error) => {
        done = true;
        signal.removeEventListener('abort', onAbort);
        if (e) reject(e);
        else resolve();
      };
      const onAbort = () => {
        drop();
        this.stopReceiving(from, body);
        finish(new ExchangeCancelledError());
      };
      const drop = this.streams.follow(from, streamId, {
        maxBytes: options.maxBodyBytes,
        timeoutMs: options.idleMs,
        idle: true,
        onData: (bytes) => {
          if (bytes.length > 0) sink.data(bytes);
        },
        onEnd: () => finish(),
        onError: (e) => {
          // Too large, or silent too long: the sender must stop too (a close from it needs no answer).
          if (e instanceof ChunkStreamError && e.reason !== 'closed')
            this.stopReceiving(from, body);
          finish(e);
        },
      });
      if (done) return;
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
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
      // Before the first await: the request's chunks follow its IQ and must find it registered.
      const endExchange = this.beginExchange(from);
      try {
        const body = await this.decode(
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
            after: () => this.pump(from, streamId, stream, chunkBytes),
            abandon: () => stream.abort('the answer could not be sent'),
          };
        }
        const whole = stream ? await readWhole(stream, this.options.maxBodyBytes) : response.body;
        const encoded = this.encode(
          response.headers,
          whole,
          wire.dialect,
          chunkBytes,
          this.options.maxBodyBytes,
        );
        const chunks = encoded.chunks;
        return {
          payload: responseElement({
            ...head,
            ...(encoded.wire ? { body: encoded.wire } : {}),
          }),
          ...(chunks ? { after: () => this.sendChunks(from, chunks) } : {}),
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

  private encode(
    headers: HttpRequestMessage['headers'],
    body: Buffer | undefined,
    dialect: Dialect,
    chunkBytes: number,
    maxBodyBytes: number,
  ): EncodedBody {
    if (!body || body.length === 0) return {};
    if (body.length > maxBodyBytes) throw tooLarge(body.length, maxBodyBytes);
    // slixmpp has no chunked transfer: everything goes inline to it.
    const inlineOnly = dialect === 'slixmpp';
    const base64Length = Math.ceil(body.length / 3) * 4;
    if (isTextBody(headers, body)) {
      const xmlLength = xmlTextLengthOfUtf8(body);
      // Text goes as <text> unless base64 is shorter on the wire: the server re-escapes quotes, so
      // JSON grows ~2.5× as XML text, which the server, and the peer's parser, then handle entity by
      // entity (the 64 KB cost); base64 grows by a third and decodes natively. slixmpp keeps text.
      if (
        xmlLength >= 0 &&
        (inlineOnly || (xmlLength <= base64Length && body.length <= this.options.inlineMaxBytes))
      )
        return { wire: { kind: 'text', text: body.toString('utf8') } };
    }
    if (inlineOnly || base64Length <= this.options.inlineMaxBytes) {
      return { wire: { kind: 'base64', data: body.toString('base64') } };
    }
    const streamId = randomBytes(9).toString('base64url');
    return { wire: { kind: 'chunked', streamId }, chunks: { streamId, body, chunkBytes } };
  }

  private async decode(
    from: string,
    body: WireBody | undefined,
    timeoutMs: number,
    maxBodyBytes: number,
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
        if (!this.connection.online)
          throw new XmppUnavailableError(this.connection.describeOutage());
        return this.streams.expect(from, body.streamId, timeoutMs, maxBodyBytes);
      case 'ibb':
      case 'unsupported':
        throw new DomainError(
          'UNSUPPORTED',
          `body transfer <${body.kind === 'ibb' ? 'ibb' : body.name}/> is not supported here (only text, xml, base64 and chunkedBase64)`,
        );
    }
    if (bytes.length > maxBodyBytes) throw tooLarge(bytes.length, maxBodyBytes);
    return bytes;
  }

  private async sendChunks(to: string, chunks: NonNullable<EncodedBody['chunks']>): Promise<void> {
    const { streamId, body, chunkBytes } = chunks;
    const key = `${jidKey(to)}\n${streamId}`;
    const session = this.session;
    const sending: Sending = { closed: false };
    this.sending.set(key, sending);
    try {
      for (let nr = 0, offset = 0; offset < body.length; nr++, offset += chunkBytes) {
        // Stopped by the receiver, or the session went (a new one must not carry the old stream on).
        if (sending.closed || session !== this.session) return;
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
      this.sending.delete(key);
    }
  }

  /**
   * Sends a body the target is still writing as chunks, each as soon as the source has it ready; a
   * last empty chunk marks the end. A receiver's `<close/>` or the session's end stops the source at
   * once (the local request is aborted); a source that breaks off closes the stream towards the
   * receiver, which then fails the exchange instead of waiting for its idle timeout.
   */
  private async pump(to: string, streamId: string, stream: BodyStream, chunkBytes: number) {
    const key = `${jidKey(to)}\n${streamId}`;
    const session = this.session;
    const sending: Sending = { closed: false, stop: (why) => stream.abort(why) };
    this.sending.set(key, sending);
    try {
      for (let nr = 0; ; nr++) {
        const piece = await stream.next(chunkBytes);
        if (sending.closed || session !== this.session) {
          stream.abort('the stream was stopped');
          return;
        }
        await this.connection.send(
          chunkMessage(to, {
            streamId,
            nr,
            data: piece ? piece.toString('base64') : '',
            last: !piece,
          }),
        );
        if (!piece) return;
      }
    } catch (e) {
      if (sending.closed || session !== this.session) return;
      stream.abort('sending failed');
      this.logger.warn(
        { to, streamId, err: (e as Error).message },
        'a streamed response body broke off',
      );
      const code = (e as { code?: unknown }).code;
      const reason =
        code === 'PAYLOAD_TOO_LARGE'
          ? 'payload-too-large'
          : code === 'TIMEOUT'
            ? 'timeout'
            : undefined;
      await this.connection.send(closeMessage(to, streamId, reason)).catch(() => undefined);
    } finally {
      this.sending.delete(key);
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
        ? new DomainError('PAYLOAD_TOO_LARGE', `the response body from ${jid}: ${e.message}`, {
            details: { jid },
          })
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

/** A streamed body read to its end (for a requester that cannot take chunks), within `limit`. */
async function readWhole(stream: BodyStream, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for (let piece = await stream.next(65_536); piece; piece = await stream.next(65_536)) {
    size += piece.length;
    if (size > limit) {
      stream.abort('too large');
      throw tooLarge(size, limit);
    }
    parts.push(piece);
  }
  return size > 0 ? Buffer.concat(parts, size) : undefined;
}

function tooLarge(bytes: number, limit: number): DomainError {
  return new DomainError(
    'PAYLOAD_TOO_LARGE',
    `the body (${bytes} bytes) exceeds the bridge limit of ${limit} bytes`,
    { details: { bytes, limit } },
  );
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
  // The session went while the request was being read: nobody will receive this answer anyway.
  if (e instanceof XmppUnavailableError)
    return new StanzaErrorReply('wait', 'service-unavailable', e.message);
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
