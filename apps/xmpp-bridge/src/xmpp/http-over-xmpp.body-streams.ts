// Bodies that travel beside their IQ, both ways: chunkedBase64 `<chunk/>` messages (XEP-0332) and
// in-band bytestreams (XEP-0047) coming in, reassembled by ChunkStreams; chunks going out, from a
// whole body or from one the target is still writing; `<close/>` either way. Only a peer with an
// exchange in progress may send us body data, so nobody else can fill the reassembly buffers.
import type { Logger } from '@switchboard/observability';
import type { Element } from '@xmpp/xml';
import { isJidOf, jidKey } from '@switchboard/config';
import type { BodyStream } from '../http/http-message.js';
import { ChunkStreamError, ChunkStreams } from './chunk.streams.js';
import { decodeInline, type OutgoingChunks } from './http-over-xmpp.body-codec.js';
import { ExchangeCancelledError } from './http-over-xmpp.errors.js';
import { NS_IBB, type WireBody } from './http-over-xmpp.translator.js';
import {
  chunkMessage,
  closeMessage,
  ibbClose,
  parseChunkMessage,
  parseIbb,
} from './http-over-xmpp.stream-frames.js';
import { StanzaErrorReply, type XmppConnection, XmppUnavailableError } from './xmpp-connection.js';

/** A stream we send: whether its receiver closed it, and how to stop its source at once. */
interface Sending {
  closed: boolean;
  stop?: (why: string) => void;
}

/** An in-band bytestream a peer opened to us: its 16-bit `seq` counted on as chunk numbers. */
interface IbbIn {
  count: number;
}

/** How a streamed response's body is followed (see HttpOverXmppRequester.exchangeStream). */
export interface FollowBodyOptions {
  /** Longest silence between two pieces of the body. */
  idleMs: number;
  maxBodyBytes: number;
  /** Aborting it closes the stream towards the peer. */
  signal: AbortSignal;
}

/** IBB streams are reassembled as chunk streams under this prefix (no clash with a chunk streamId). */
const ibbStreamId = (sid: string) => `ibb\n${sid}`;

export class BodyStreams {
  private readonly streams: ChunkStreams;
  /** Peers (full JIDs) with an exchange in progress, either way: the only senders of chunks we take. */
  private readonly peers = new Map<string, number>();
  /** Streams we are sending (`to\nstreamId`), and whether the receiver asked us to stop. */
  private readonly sending = new Map<string, Sending>();
  /** In-band bytestreams peers opened to us (`from\nsid`). */
  private readonly ibbIn = new Map<string, IbbIn>();
  /** Bumped when the session goes: chunk sends of an earlier session stop. */
  private session = 0;

  constructor(
    private readonly connection: XmppConnection,
    maxBodyBytes: number,
    private readonly logger: Logger,
  ) {
    this.streams = new ChunkStreams(Math.max(maxBodyBytes * 2, 16 * 1024 * 1024));
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

  /** The session is gone: bodies still arriving fail with `error`, bodies being sent stop. */
  onOffline(error: Error): void {
    this.session++;
    this.streams.failAll(error);
    this.ibbIn.clear();
    // Streamed bodies we send stop reading their source now, not at their next piece.
    for (const sending of this.sending.values()) sending.stop?.('the XMPP session was lost');
  }

  /**
   * A peer went offline (`jid` full, or bare for all its resources): bodies it was sending us fail
   * with `error` now, and bodies we were sending it stop.
   */
  onPeerGone(jid: string, error: Error): void {
    this.streams.failFrom((from) => isJidOf(from, jid), error);
    for (const key of this.ibbIn.keys()) {
      if (isJidOf(key.slice(0, key.indexOf('\n')), jid)) this.ibbIn.delete(key);
    }
    for (const [key, sending] of this.sending) {
      if (!sending.closed && isJidOf(key.slice(0, key.indexOf('\n')), jid)) {
        sending.closed = true;
        sending.stop?.('the receiver went offline');
      }
    }
  }

  /** Lets `jid` send us body data until the returned function is called (once or more). */
  beginExchange(jid: string): () => void {
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

  /** A body from `from` whole: inline at once, chunkedBase64 once its last chunk is in. */
  async decode(
    from: string,
    body: WireBody | undefined,
    timeoutMs: number,
    maxBodyBytes: number,
  ): Promise<Buffer | undefined> {
    if (!body) return undefined;
    if (body.kind !== 'chunked') return decodeInline(body, maxBodyBytes);
    if (!this.connection.online) throw new XmppUnavailableError(this.connection.describeOutage());
    return this.streams.expect(from, body.streamId, timeoutMs, maxBodyBytes);
  }

  /** Hands a streamed response's body to `sink` as it arrives; resolves at its end. */
  follow(
    from: string,
    body: WireBody | undefined,
    options: FollowBodyOptions,
    sink: { data(bytes: Buffer): void },
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

  /** Asks the sender of a response body to stop sending it (XEP-0332 close, or an IBB close). */
  stopReceiving(from: string, body: WireBody | undefined): void {
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

  /** Sends a whole body as chunks; failures are logged, the receiver then times out or fails. */
  async sendChunks(to: string, chunks: OutgoingChunks): Promise<void> {
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
  async pump(to: string, streamId: string, stream: BodyStream, chunkBytes: number): Promise<void> {
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
      // Why, for a receiver that is a bridge: it can then fail typed (a source that broke off — the
      // target died mid-response — is an outage of the agent, worth another try later).
      const reason =
        code === 'PAYLOAD_TOO_LARGE'
          ? 'payload-too-large'
          : code === 'TIMEOUT'
            ? 'timeout'
            : code === 'UPSTREAM_ERROR' || code === 'UPSTREAM_UNAVAILABLE'
              ? 'broken-off'
              : undefined;
      await this.connection.send(closeMessage(to, streamId, reason)).catch(() => undefined);
    } finally {
      this.sending.delete(key);
    }
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
}
