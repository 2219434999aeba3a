import { describe, expect, it } from '@jest/globals';
import { type DomainError, DomainError as DomainErrorOf } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import type { BodyStream } from '../http/http-message.js';
import {
  type HttpOverXmppOptions,
  HttpOverXmppTransport,
  type StreamHead,
} from './http-over-xmpp.transport.js';
import { NS_IBB, parseRequest, responseElement } from './http-over-xmpp.translator.js';
import { chunkMessage, closeMessage, parseChunkMessage } from './http-over-xmpp.stream-frames.js';
import { PresenceDirectory } from './presence.directory.js';
import type { StanzaLimit } from './stanza.limits.js';
import {
  type IqHandler,
  IqErrorReply,
  type XmppConnection,
  XmppUnavailableError,
} from './xmpp-connection.js';

/** Yields to the event loop until `done()` (bounded: a test that never gets there fails). */
async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  expect(done()).toBe(true);
}

const logger = createLogger({ service: 'test', instance: 't', level: 'silent', pretty: false });
const OPTIONS = {
  inlineMaxBytes: 1_024,
  chunkBytes: 256,
  maxBodyBytes: 10_000,
  presenceWaitMs: 0,
  dialect: 'xep' as const,
  bodyTimeoutMs: 1_000,
};

/** An XMPP session stand-in: records what is sent, answers IQs with `answer`. */
class FakeConnection {
  online = true;
  stanzaLimit: StanzaLimit = { bytes: 262_144, source: 'configured' };
  readonly sent: Element[] = [];
  readonly handlers = new Map<string, IqHandler>();
  /** When set, each send waits for it (to hold a chunked body half-sent). */
  gate: Promise<void> | undefined;
  constructor(private readonly answer: (iq: Element) => Element | Error | Promise<Element>) {}
  describeOutage() {
    return 'the XMPP session is reconnecting';
  }
  handle(ns: string, name: string, h: IqHandler) {
    this.handlers.set(`${name} ${ns}`, h);
  }
  async send(s: Element) {
    await this.gate;
    this.sent.push(s);
  }
  /** Requests waiting for their answer: what the session fails when their peer goes. */
  readonly pending = new Set<{ to: string; reject: (e: Error) => void }>();
  async request(iq: Element) {
    if (!this.online) throw new XmppUnavailableError(this.describeOutage());
    this.sent.push(iq);
    const entry = { to: iq.attrs['to'] ?? '', reject: (_e: Error) => undefined as void };
    const gone = new Promise<never>((_, reject) => (entry.reject = reject));
    this.pending.add(entry);
    try {
      const r = await Promise.race([this.answer(iq), gone]);
      if (r instanceof Error) throw r;
      return r;
    } finally {
      this.pending.delete(entry);
    }
  }
  rejectPendingTo(jid: string, error: Error) {
    for (const p of this.pending) if (p.to === jid || p.to.startsWith(`${jid}/`)) p.reject(error);
  }
}

function setup(
  answer: (iq: Element) => Element | Error | Promise<Element>,
  options: HttpOverXmppOptions = OPTIONS,
) {
  const connection = new FakeConnection(answer);
  const directory = new PresenceDirectory([], {
    send: async () => undefined,
    isAllowed: () => false,
    ownBare: 'me@x',
    logger,
    // As the session wires them: an unavailable presence reaches the transport.
    onGone: (jid) => sut.onPeerGone(jid),
  });
  const sut = new HttpOverXmppTransport(
    connection as unknown as XmppConnection,
    directory,
    options,
    logger,
  );
  return { sut, connection, directory };
}

const ok = (iq: Element, body?: string) =>
  xml(
    'iq',
    { type: 'result', id: iq.attrs['id'], from: iq.attrs['to'] },
    responseElement({
      dialect: iq.getChildElements()[0]?.name === 'req' ? 'xep' : 'slixmpp',
      status: 200,
      version: '1.1',
      headers: [['Content-Type', 'text/plain']],
      ...(body ? { body: { kind: 'text', text: body } } : {}),
    }),
  );

describe(HttpOverXmppTransport.name, () => {
  it('sends a <req/> to the full JID and returns the response with who answered', async () => {
    const { sut, connection } = setup((iq) => ok(iq, 'pong'));
    const res = await sut.exchange(
      'agent@x/r',
      {
        method: 'POST',
        resource: '/a',
        headers: [['Content-Type', 'application/json']],
        body: Buffer.from('[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]'),
      },
      1_000,
    );
    expect(res).toMatchObject({
      status: 200,
      via: 'agent@x/r',
      headers: [['Content-Type', 'text/plain']],
    });
    expect(res.body?.toString()).toBe('pong');
    const req = parseRequest(connection.sent[0]!.getChildElements()[0]!);
    expect(req).toMatchObject({
      dialect: 'xep',
      method: 'POST',
      body: { kind: 'text', text: '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]' },
    });
  });

  it('sends text as base64 when that is shorter than the text as the server writes it (quote-dense JSON)', async () => {
    const { sut, connection } = setup((iq) => ok(iq));
    const json = JSON.stringify({ jsonrpc: '2.0', method: 'SendMessage', params: { a: 'b' } });
    await sut.exchange(
      'agent@x/r',
      {
        method: 'POST',
        resource: '/a',
        headers: [['Content-Type', 'application/json']],
        body: Buffer.from(json),
      },
      1_000,
    );
    expect(parseRequest(connection.sent[0]!.getChildElements()[0]!).body).toEqual({
      kind: 'base64',
      data: Buffer.from(json).toString('base64'),
    });
  });

  it("retries in slixmpp's dialect after feature-not-implemented, and remembers it", async () => {
    const { sut, connection } = setup((iq) =>
      iq.getChildElements()[0]?.name === 'req'
        ? new IqErrorReply({ condition: 'feature-not-implemented' }, 'agent@x/r')
        : ok(iq, 'hi'),
    );
    await sut.exchange('agent@x/r', { method: 'GET', resource: '/', headers: [] }, 1_000);
    await sut.exchange('agent@x/r', { method: 'GET', resource: '/', headers: [] }, 1_000);
    expect(connection.sent.map((s) => s.getChildElements()[0]?.name)).toEqual([
      'req',
      'request',
      'request',
    ]);
  });

  it('sends binary as base64 and large bodies as chunks after the request', async () => {
    const { sut, connection } = setup((iq) => ok(iq));
    await sut.exchange(
      'agent@x/r',
      {
        method: 'PUT',
        resource: '/b',
        headers: [['Content-Type', 'image/png']],
        body: Buffer.from([1, 2, 3]),
      },
      1_000,
    );
    expect(parseRequest(connection.sent[0]!.getChildElements()[0]!).body).toEqual({
      kind: 'base64',
      data: 'AQID',
    });
    const big = Buffer.alloc(1_000, 7);
    await sut.exchange(
      'agent@x/r',
      {
        method: 'PUT',
        resource: '/c',
        headers: [['Content-Type', 'application/octet-stream']],
        body: big,
      },
      1_000,
    );
    await new Promise((r) => setImmediate(r));
    const frames = connection.sent.slice(2).map((m) => parseChunkMessage(m));
    expect(frames.map((f) => f && 'nr' in f && [f.nr, f.last])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, true],
    ]);
    const joined = Buffer.concat(
      frames.map((f) => Buffer.from(f && 'data' in f ? f.data : '', 'base64')),
    );
    expect(joined.equals(big)).toBe(true);
  });

  it('fails fast and typed: disconnected, too large, offline peer, refused, unsupported transfer', async () => {
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return (e as DomainError).code;
      }
      return 'ok';
    };
    const down = setup((iq) => ok(iq));
    down.connection.online = false;
    expect(
      await code(
        down.sut.exchange('agent@x/r', { method: 'GET', resource: '/', headers: [] }, 1_000),
      ),
    ).toBe('UPSTREAM_UNAVAILABLE');
    const { sut } = setup((iq) => ok(iq));
    expect(
      await code(
        sut.exchange(
          'agent@x/r',
          { method: 'POST', resource: '/', headers: [], body: Buffer.alloc(10_001) },
          1_000,
        ),
      ),
    ).toBe('PAYLOAD_TOO_LARGE');
    expect(
      await code(sut.exchange('agent@x', { method: 'GET', resource: '/', headers: [] }, 1_000)),
    ).toBe('UPSTREAM_UNAVAILABLE');
    const refused = setup(
      () => new IqErrorReply({ condition: 'forbidden', text: 'not you' }, 'agent@x/r'),
    );
    expect(
      await code(
        refused.sut.exchange('agent@x/r', { method: 'GET', resource: '/', headers: [] }, 1_000),
      ),
    ).toBe('FORBIDDEN');
    const ibb = setup((iq) =>
      xml(
        'iq',
        { type: 'result', id: iq.attrs['id'] },
        xml(
          'resp',
          { xmlns: 'urn:xmpp:http', statusCode: '200', version: '1.1' },
          xml('data', {}, xml('ibb', { sid: 'x' })),
        ),
      ),
    );
    expect(
      await code(
        ibb.sut.exchange('agent@x/r', { method: 'GET', resource: '/', headers: [] }, 1_000),
      ),
    ).toBe('UNSUPPORTED');
  });

  it("serves requests from allowed JIDs only, answering in the requester's dialect", async () => {
    const { sut, connection } = setup((iq) => ok(iq));
    sut.serve({
      authorize: (bare) => bare === 'platform@x',
      handle: async (from, req) => ({
        status: 200,
        headers: [['Content-Type', 'text/plain']],
        body: Buffer.from(`${from} ${req.method} ${req.resource}`),
      }),
    });
    const handler = connection.handlers.get('request urn:xmpp:http')!;
    const request = xml('request', {
      xmlns: 'urn:xmpp:http',
      method: 'GET',
      resource: '/hi',
      version: '1.1',
    });
    const answer = (await handler(
      xml('iq', { type: 'set', from: 'platform@x/p', id: '1' }, request),
      request,
    )) as { payload: Element };
    expect(answer.payload.name).toBe('response');
    expect(answer.payload.toString()).toContain('platform@x/p GET /hi');
    await expect(
      handler(xml('iq', { type: 'set', from: 'mallory@x/m', id: '2' }, request), request),
    ).rejects.toMatchObject({ condition: 'forbidden' });
  });

  describe('when the session goes', () => {
    const lost = () => new XmppUnavailableError('the XMPP connection was lost (test)');
    const chunked = (iq: Element) =>
      xml(
        'iq',
        { type: 'result', id: iq.attrs['id'], from: iq.attrs['to'] },
        responseElement({
          dialect: 'xep',
          status: 200,
          version: '1.1',
          headers: [['Content-Type', 'application/octet-stream']],
          body: { kind: 'chunked', streamId: 'big' },
        }),
      );
    const chunk = (from: string, streamId: string, nr: number, last = false) => {
      const m = chunkMessage('me@x/1', {
        streamId,
        nr,
        data: Buffer.alloc(100, nr).toString('base64'),
        last,
      });
      m.attrs['from'] = from;
      return m;
    };

    it('fails a response whose chunked body is still arriving at once, typed as bridge-disconnected', async () => {
      const { sut, connection } = setup(chunked, { ...OPTIONS, bodyTimeoutMs: 600_000 });
      const exchange = sut.exchange(
        'agent@x/r',
        { method: 'GET', resource: '/', headers: [] },
        600_000,
      );
      // The body announced, its first chunk in: now the connection drops.
      await waitUntil(() => connection.sent.length === 1);
      sut.onMessage(chunk('agent@x/r', 'big', 0));
      sut.onOffline(lost());
      await expect(exchange).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        details: { reason: 'bridge-disconnected' },
        message: expect.stringContaining('the XMPP connection was lost (test)'),
      });
    });

    it('fails a request waiting for its peer presence at once, not as offline after the wait', async () => {
      const { sut } = setup((iq) => ok(iq), { ...OPTIONS, presenceWaitMs: 600_000 });
      const waiting = sut.exchange(
        'agent@x',
        { method: 'GET', resource: '/', headers: [] },
        600_000,
      );
      await new Promise((r) => setImmediate(r));
      sut.onOffline(lost());
      await expect(waiting).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        details: { reason: 'bridge-disconnected' },
      });
    });

    it('stops sending the chunks of a request body', async () => {
      let release: () => void = () => undefined;
      const { sut, connection } = setup(() => new Promise<Element>(() => undefined));
      connection.gate = new Promise<void>((r) => (release = r));
      const exchange = sut.exchange(
        'agent@x/r',
        { method: 'PUT', resource: '/', headers: [], body: Buffer.alloc(5_000, 1) },
        600_000,
      );
      exchange.catch(() => undefined);
      await waitUntil(() => connection.sent.length === 1);
      sut.onOffline(lost());
      release();
      await new Promise((r) => setTimeout(r, 0));
      // Only the chunk already under way went out, not the other 19 of the old session's body.
      expect(connection.sent.filter((m) => m.name === 'message').length).toBeLessThanOrEqual(1);
    });
  });

  describe('chunk and close frames', () => {
    const frame = (from: string, el: Element) => {
      el.attrs['from'] = from;
      return el;
    };
    const held = (sut: HttpOverXmppTransport) =>
      (sut as unknown as { bodies: { streams: { size: number } } }).bodies.streams.size;
    const closed = (sut: HttpOverXmppTransport) =>
      [
        ...(
          sut as unknown as { bodies: { sending: Map<string, { closed: boolean }> } }
        ).bodies.sending.values(),
      ].filter((s) => s.closed).length;

    it('takes chunks only from a JID it is exchanging with', async () => {
      const { sut } = setup(() => new Promise<Element>(() => undefined));
      for (let i = 0; i < 50; i++)
        sut.onMessage(
          frame(
            'mallory@x/m',
            chunkMessage('me@x/1', { streamId: `s${i}`, nr: 0, data: 'AAAA', last: false }),
          ),
        );
      expect(held(sut)).toBe(0);
      const pending = sut.exchange(
        'agent@x/r',
        { method: 'GET', resource: '/', headers: [] },
        600_000,
      );
      pending.catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      sut.onMessage(
        frame(
          'agent@x/r',
          chunkMessage('me@x/1', { streamId: 'early', nr: 0, data: 'AAAA', last: false }),
        ),
      );
      // Same JID as the server routes it (case of the bare part may differ).
      sut.onMessage(
        frame(
          'Agent@X/r',
          chunkMessage('me@x/1', { streamId: 'early2', nr: 0, data: 'AAAA', last: false }),
        ),
      );
      expect(held(sut)).toBe(2);
      // Another resource of the same account is someone else.
      sut.onMessage(
        frame(
          'agent@x/other',
          chunkMessage('me@x/1', { streamId: 'x', nr: 0, data: 'AAAA', last: false }),
        ),
      );
      expect(held(sut)).toBe(2);
    });

    it('records a close only from the receiver of a stream it sends, and keeps no others', async () => {
      let release: () => void = () => undefined;
      const { sut, connection } = setup(() => new Promise<Element>(() => undefined));
      connection.gate = new Promise<void>((r) => (release = r));
      sut
        .exchange(
          'agent@x/r',
          { method: 'PUT', resource: '/', headers: [], body: Buffer.alloc(5_000, 1) },
          600_000,
        )
        .catch(() => undefined);
      await waitUntil(() => connection.sent.length === 1);
      const streamId = parseRequest(connection.sent[0]!.getChildElements()[0]!).body;
      const id = streamId?.kind === 'chunked' ? streamId.streamId : '';
      for (let i = 0; i < 100; i++)
        sut.onMessage(frame('mallory@x/m', closeMessage('me@x/1', i === 0 ? id : `other${i}`)));
      sut.onMessage(frame('agent@x/r', closeMessage('me@x/1', 'not-a-stream-we-send')));
      expect(closed(sut)).toBe(0);
      sut.onMessage(frame('agent@x/r', closeMessage('me@x/1', id)));
      expect(closed(sut)).toBe(1);
      release();
      await waitUntil(() => closed(sut) === 0);
      // Stopped by the receiver: at most the chunk already under way went out.
      expect(connection.sent.filter((m) => m.name === 'message').length).toBeLessThanOrEqual(1);
    });
  });

  describe('streamed responses', () => {
    const from = (jid: string, el: Element) => {
      el.attrs['from'] = jid;
      return el;
    };
    const announcing =
      (body: { kind: 'chunked'; streamId: string } | { kind: 'ibb'; sid: string }) =>
      (iq: Element) =>
        xml(
          'iq',
          { type: 'result', id: iq.attrs['id'], from: iq.attrs['to'] },
          body.kind === 'chunked'
            ? responseElement({
                dialect: 'xep',
                status: 200,
                version: '1.1',
                headers: [['Content-Type', 'text/event-stream']],
                body,
              })
            : xml(
                'resp',
                { xmlns: 'urn:xmpp:http', statusCode: '200', version: '1.1' },
                xml('data', {}, xml('ibb', { sid: body.sid })),
              ),
        );
    const recorder = () => {
      const seen: string[] = [];
      return {
        seen,
        sink: {
          head: (h: StreamHead) => seen.push(`head ${h.status} ${h.via}`),
          data: (b: Buffer) => seen.push(`data ${b.toString()}`),
        },
      };
    };
    const streamOptions = (signal = new AbortController().signal) => ({
      timeoutMs: 1_000,
      idleMs: 600_000,
      maxBodyBytes: 10_000,
      signal,
    });

    it('hands over the head at once and each chunk as it arrives, until the last', async () => {
      const { sut, connection } = setup(announcing({ kind: 'chunked', streamId: 's1' }));
      const { seen, sink } = recorder();
      const done = sut.exchangeStream(
        'agent@x/r',
        { method: 'POST', resource: '/a2a', headers: [] },
        streamOptions(),
        sink,
      );
      await waitUntil(() => seen.length === 1);
      expect(seen).toEqual(['head 200 agent@x/r']);
      // A stream request takes IBB bodies too.
      expect(connection.sent[0]!.getChildElements()[0]!.attrs['ibb']).toBe('true');
      const chunk = (nr: number, text: string, last = false) =>
        sut.onMessage(
          from(
            'agent@x/r',
            chunkMessage('me@x/1', {
              streamId: 's1',
              nr,
              data: Buffer.from(text).toString('base64'),
              last,
            }),
          ),
        );
      chunk(0, 'data: one\n\n');
      expect(seen).toEqual(['head 200 agent@x/r', 'data data: one\n\n']);
      chunk(2, 'data: three\n\n');
      expect(seen).toHaveLength(2);
      chunk(1, 'data: two\n\n');
      chunk(3, '', true);
      await done;
      expect(seen.slice(2)).toEqual(['data data: two\n\n', 'data data: three\n\n']);
    });

    it('closes the stream towards the peer when cancelled, also when the answer comes after the cancel', async () => {
      const { sut, connection } = setup(announcing({ kind: 'chunked', streamId: 's2' }));
      const controller = new AbortController();
      const { seen, sink } = recorder();
      const done = sut.exchangeStream(
        'agent@x/r',
        { method: 'GET', resource: '/events', headers: [] },
        streamOptions(controller.signal),
        sink,
      );
      await waitUntil(() => seen.length === 1);
      controller.abort();
      await expect(done).rejects.toMatchObject({ code: 'CANCELLED' });
      await waitUntil(() => connection.sent.some((m) => m.getChild('close', 'urn:xmpp:http')));
      const close = connection.sent.find((m) => m.getChild('close', 'urn:xmpp:http'))!;
      expect(close.attrs['to']).toBe('agent@x/r');
      expect(close.getChild('close', 'urn:xmpp:http')?.attrs['streamId']).toBe('s2');

      // Cancelled while the IQ was still out: its stream is closed once the answer is in.
      let answer: (el: Element) => void = () => undefined;
      const late = setup(() => new Promise<Element>((r) => (answer = r)));
      const early = new AbortController();
      const pending = late.sut.exchangeStream(
        'agent@x/r',
        { method: 'GET', resource: '/events', headers: [] },
        streamOptions(early.signal),
        recorder().sink,
      );
      await waitUntil(() => late.connection.sent.length === 1);
      early.abort();
      await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
      answer(announcing({ kind: 'chunked', streamId: 's3' })(late.connection.sent[0]!));
      await waitUntil(() => late.connection.sent.length === 2);
      expect(late.connection.sent[1]!.getChild('close', 'urn:xmpp:http')?.attrs['streamId']).toBe(
        's3',
      );
    });

    it('takes a body sent as an in-band bytestream (XEP-0047), in seq order, to its close', async () => {
      const { sut, connection } = setup(announcing({ kind: 'ibb', sid: 'i1' }));
      const { seen, sink } = recorder();
      const done = sut.exchangeStream(
        'agent@x/r',
        { method: 'GET', resource: '/events', headers: [] },
        streamOptions(),
        sink,
      );
      await waitUntil(() => seen.length === 1);
      const ibbIq = connection.handlers.get(`open ${NS_IBB}`)!;
      const iq = (child: Element, jid = 'agent@x/r') =>
        xml('iq', { type: 'set', from: jid, id: 'i' }, child);
      const open = xml('open', { xmlns: NS_IBB, sid: 'i1', 'block-size': '4096' });
      // Nobody else may open a stream to us.
      expect(() => ibbIq(iq(open, 'mallory@x/m'), open)).toThrow(/no exchange in progress/);
      await ibbIq(iq(open), open);
      const data = (seq: number, text: string) =>
        xml('data', { xmlns: NS_IBB, sid: 'i1', seq }, Buffer.from(text).toString('base64'));
      const first = data(0, 'part one;');
      await connection.handlers.get(`data ${NS_IBB}`)!(iq(first), first);
      expect(seen).toEqual(['head 200 agent@x/r', 'data part one;']);
      // Data packets may also come as messages.
      sut.onMessage(xml('message', { from: 'agent@x/r' }, data(1, 'part two')));
      const close = xml('close', { xmlns: NS_IBB, sid: 'i1' });
      await connection.handlers.get(`close ${NS_IBB}`)!(iq(close), close);
      await done;
      expect(seen).toEqual(['head 200 agent@x/r', 'data part one;', 'data part two']);
    });

    it('answers a streamed request inline when the peer sends the body inline', async () => {
      const { sut } = setup((iq) => ok(iq, 'all at once'));
      const { seen, sink } = recorder();
      await sut.exchangeStream(
        'agent@x/r',
        { method: 'GET', resource: '/', headers: [] },
        streamOptions(),
        sink,
      );
      expect(seen).toEqual(['head 200 agent@x/r', 'data all at once']);
    });

    /** A body the test writes piece by piece; `aborted` tells why it was stopped. */
    class ScriptedBody implements BodyStream {
      readonly pieces: (Buffer | undefined | Error)[] = [];
      aborted: string | undefined;
      private wake: (() => void) | undefined;
      push(piece: Buffer | undefined | Error) {
        this.pieces.push(piece);
        this.wake?.();
      }
      async next(): Promise<Buffer | undefined> {
        for (;;) {
          if (this.aborted) throw new Error(`aborted: ${this.aborted}`);
          if (this.pieces.length > 0) {
            const piece = this.pieces.shift();
            if (piece instanceof Error) throw piece;
            return piece;
          }
          await new Promise<void>((r) => (this.wake = r));
        }
      }
      abort(reason: string) {
        this.aborted = reason;
        this.wake?.();
      }
    }

    const serveStreamed = (body: ScriptedBody, dialect: 'req' | 'request' = 'req') => {
      const { sut, connection } = setup((iq) => ok(iq));
      sut.serve({
        authorize: () => true,
        handle: async () => ({
          status: 200,
          headers: [['Content-Type', 'text/event-stream']],
          stream: body,
        }),
      });
      const request = xml(dialect, {
        xmlns: 'urn:xmpp:http',
        method: 'POST',
        resource: '/a2a',
        version: '1.1',
      });
      const answer = connection.handlers.get(`${dialect} urn:xmpp:http`)!(
        xml('iq', { type: 'set', from: 'platform@x/p', id: '1' }, request),
        request,
      ) as Promise<{ payload: Element; after?: () => Promise<void> }>;
      return { sut, connection, answer };
    };
    const frames = (connection: { sent: Element[] }) =>
      connection.sent.map((m) => parseChunkMessage(m)).filter((f) => f !== undefined);

    it('serves a streamed body: the <resp/> with the headers at once, then a chunk per piece', async () => {
      const body = new ScriptedBody();
      const { connection, answer } = serveStreamed(body);
      const { payload, after } = await answer;
      const announced = payload.getChild('data')?.getChild('chunkedBase64')?.attrs['streamId'];
      expect(announced).toBeDefined();
      const pumping = after!();
      body.push(Buffer.from('data: 1\n\n'));
      await waitUntil(() => frames(connection).length === 1);
      body.push(Buffer.from('data: 2\n\n'));
      body.push(undefined);
      await pumping;
      expect(
        frames(connection).map((f) =>
          'nr' in f ? [f.streamId, f.nr, Buffer.from(f.data, 'base64').toString(), f.last] : f,
        ),
      ).toEqual([
        [announced, 0, 'data: 1\n\n', false],
        [announced, 1, 'data: 2\n\n', false],
        [announced, 2, '', true],
      ]);
    });

    it('stops reading the target when the requester closes the stream, and closes it when the target breaks off', async () => {
      const body = new ScriptedBody();
      const { sut, connection, answer } = serveStreamed(body);
      const { payload, after } = await answer;
      const streamId = payload.getChild('data')?.getChild('chunkedBase64')?.attrs['streamId'] ?? '';
      const pumping = after!();
      body.push(Buffer.from('data: 1\n\n'));
      await waitUntil(() => frames(connection).length === 1);
      // Only the requester itself may stop it.
      sut.onMessage(from('mallory@x/m', closeMessage('me@x/1', streamId)));
      expect(body.aborted).toBeUndefined();
      sut.onMessage(from('platform@x/p', closeMessage('me@x/1', streamId)));
      expect(body.aborted).toBe('the receiver closed the stream');
      await pumping;
      expect(frames(connection)).toHaveLength(1);

      const broken = new ScriptedBody();
      const second = serveStreamed(broken);
      const answered = await second.answer;
      const pump = answered.after!();
      broken.push(new Error('the local HTTP target broke off its response'));
      await pump;
      expect(frames(second.connection)).toEqual([{ close: expect.any(String) }]);

      // Over the limit: the close says so, and the requester fails typed, not as a broken stream.
      const big = new ScriptedBody();
      const third = serveStreamed(big);
      const pumpBig = (await third.answer).after!();
      big.push(new DomainErrorOf('PAYLOAD_TOO_LARGE', 'over the limit'));
      await pumpBig;
      const closeFrame = frames(third.connection)[0];
      expect(closeFrame).toEqual({ close: expect.any(String), reason: 'payload-too-large' });

      const { sut: receiver } = setup(announcing({ kind: 'chunked', streamId: 'big' }));
      const { sink } = recorder();
      const receiving = receiver.exchangeStream(
        'agent@x/r',
        { method: 'GET', resource: '/', headers: [] },
        streamOptions(),
        sink,
      );
      await new Promise((r) => setTimeout(r, 0));
      receiver.onMessage(from('agent@x/r', closeMessage('me@x/1', 'big', 'payload-too-large')));
      await expect(receiving).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('says when the target broke off (the agent died mid-response): the requester fails as a retryable outage', async () => {
      const dying = new ScriptedBody();
      const served = serveStreamed(dying);
      const pump = (await served.answer).after!();
      dying.push(
        new DomainErrorOf('UPSTREAM_ERROR', 'the local HTTP target broke off its response'),
      );
      await pump;
      expect(frames(served.connection)).toEqual([
        { close: expect.any(String), reason: 'broken-off' },
      ]);

      const { sut: receiver } = setup(announcing({ kind: 'chunked', streamId: 's9' }));
      const { sink } = recorder();
      const receiving = receiver.exchangeStream(
        'agent@x/r',
        { method: 'POST', resource: '/a2a', headers: [] },
        streamOptions(),
        sink,
      );
      await new Promise((r) => setTimeout(r, 0));
      receiver.onMessage(from('agent@x/r', closeMessage('me@x/1', 's9', 'broken-off')));
      await expect(receiving).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        details: { reason: 'target-broke-off' },
      });
    });

    it("gives slixmpp's dialect (no chunks) the streamed body whole, inline", async () => {
      const body = new ScriptedBody();
      body.push(Buffer.from('data: 1\n\n'));
      body.push(Buffer.from('data: 2\n\n'));
      body.push(undefined);
      const { connection, answer } = serveStreamed(body, 'request');
      const { payload, after } = await answer;
      expect(payload.getChild('data')?.getChildText('text')).toBe('data: 1\n\ndata: 2\n\n');
      // Nothing follows the answer: no chunks.
      await after?.();
      expect(connection.sent).toEqual([]);
    });
  });

  describe('when the peer goes offline mid-exchange (its unavailable presence arrives)', () => {
    const never = () => new Promise<Element>(() => undefined);

    it('fails a request waiting for its answer at once, typed as peer-offline', async () => {
      const { sut, connection, directory } = setup(never);
      const exchange = sut.exchange(
        'agent@x/r',
        { method: 'POST', resource: '/slow', headers: [] },
        600_000,
      );
      await waitUntil(() => connection.pending.size === 1);
      directory.onPresence(xml('presence', { from: 'agent@x/other', type: 'unavailable' }));
      expect(connection.pending.size).toBe(1); // another resource going changes nothing
      directory.onPresence(xml('presence', { from: 'Agent@x/r', type: 'unavailable' }));
      await expect(exchange).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        details: { reason: 'peer-offline', jid: 'agent@x/r' },
        message: expect.stringContaining('went offline'),
      });
    });

    it('fails a streamed response whose body is still arriving, and a bare unavailable ends them all', async () => {
      const announce = (iq: Element) =>
        xml(
          'iq',
          { type: 'result', id: iq.attrs['id'], from: iq.attrs['to'] },
          responseElement({
            dialect: 'xep',
            status: 200,
            version: '1.1',
            headers: [['Content-Type', 'text/event-stream']],
            body: { kind: 'chunked', streamId: 's1' },
          }),
        );
      const { sut, directory } = setup(announce);
      const heads: number[] = [];
      const streaming = sut.exchangeStream(
        'agent@x/r',
        { method: 'POST', resource: '/a2a', headers: [] },
        {
          timeoutMs: 1_000,
          idleMs: 600_000,
          maxBodyBytes: 10_000,
          signal: new AbortController().signal,
        },
        { head: (h) => heads.push(h.status), data: () => undefined },
      );
      await waitUntil(() => heads.length === 1);
      directory.onPresence(xml('presence', { from: 'agent@x', type: 'unavailable' }));
      await expect(streaming).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        details: { reason: 'peer-offline' },
      });
    });
  });

  describe("the server's stanza limit", () => {
    const small = { bytes: 20_000, source: 'advertised' as const };
    const body = (n: number) => Buffer.alloc(n, 0x61); // text: 'aaa…'

    it("refuses a body that does not fit in one stanza to slixmpp's dialect, sending nothing", async () => {
      const { sut, connection } = setup((iq) => ok(iq), { ...OPTIONS, dialect: 'slixmpp' });
      connection.stanzaLimit = small;
      const e = await sut
        .exchange(
          'agent@x/r',
          {
            method: 'POST',
            resource: '/a2a',
            headers: [['Content-Type', 'text/plain']],
            body: body(25_000),
          },
          1_000,
          100_000,
        )
        .then(
          () => undefined,
          (err: unknown) => err as DomainError,
        );
      expect(e).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        details: { bytes: 25_000, stanzaLimit: 20_000, dialect: 'slixmpp' },
      });
      expect(e?.message).toContain('20000 bytes (advertised by the server, XEP-0478)');
      expect(connection.sent).toEqual([]);
    });

    it('sends the same body chunked to a peer that takes chunks, every chunk within the limit', async () => {
      const { sut, connection } = setup((iq) => ok(iq), {
        ...OPTIONS,
        inlineMaxBytes: 1_000_000,
        chunkBytes: 65_536,
        maxBodyBytes: 100_000,
      });
      connection.stanzaLimit = small;
      await sut.exchange(
        'agent@x/r',
        {
          method: 'POST',
          resource: '/a2a',
          headers: [['Content-Type', 'text/plain']],
          body: body(25_000),
        },
        1_000,
      );
      await waitUntil(() => connection.sent.length > 2);
      const [request, ...chunks] = connection.sent;
      const req = parseRequest(request!.getChildElements()[0]!);
      expect(req.body?.kind).toBe('chunked');
      // The peer is told the smaller chunk size too, so its chunks fit as well.
      expect(req.maxChunkSize).toBeLessThan(15_000);
      expect(chunks.every((c) => Buffer.byteLength(c.toString()) <= small.bytes)).toBe(true);
      expect(Buffer.byteLength(request!.toString())).toBeLessThanOrEqual(small.bytes);
    });

    it("answers a slixmpp requester whose response cannot fit with <not-acceptable/> and says why in the log's outcome", async () => {
      const settled: (string | undefined)[] = [];
      const { sut, connection } = setup((iq) => ok(iq), { ...OPTIONS, maxBodyBytes: 100_000 });
      connection.stanzaLimit = small;
      sut.serve({
        authorize: () => true,
        handle: async () => ({
          status: 200,
          headers: [['Content-Type', 'text/plain']],
          body: body(25_000),
          settled: (failure) => settled.push(failure),
        }),
      });
      const request = xml('request', {
        xmlns: 'urn:xmpp:http',
        method: 'GET',
        resource: '/big',
        version: '1.1',
      });
      const answer = connection.handlers.get('request urn:xmpp:http')!(
        xml('iq', { type: 'set', from: 'py@x/p', id: '1' }, request),
        request,
      );
      await expect(answer).rejects.toMatchObject({
        condition: 'not-acceptable',
        text: expect.stringContaining("slixmpp's XEP-0332 dialect takes no chunked bodies"),
        app: expect.objectContaining({ name: 'payload-too-large' }),
      });
      expect(settled).toEqual(['PAYLOAD_TOO_LARGE']);
    });

    it('answers a slixmpp requester whose response has two Set-Cookie headers with both, each under its own name, never joined', async () => {
      const settled: (string | undefined)[] = [];
      const { sut, connection } = setup((iq) => ok(iq));
      sut.serve({
        authorize: () => true,
        handle: async () => ({
          status: 200,
          headers: [
            ['Set-Cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
            ['Set-Cookie', 'b=2'],
          ],
          settled: (failure) => settled.push(failure),
        }),
      });
      const request = xml('request', {
        xmlns: 'urn:xmpp:http',
        method: 'GET',
        resource: '/login',
        version: '1.1',
      });
      const answer = (await connection.handlers.get('request urn:xmpp:http')!(
        xml('iq', { type: 'set', from: 'py@x/p', id: '1' }, request),
        request,
      )) as { payload: Element; after?: () => Promise<void> };
      await answer.after?.();
      const headers = answer.payload
        .getChild('headers')
        ?.getChildren('header')
        .map((h) => [h.attrs['name'], h.text()]);
      expect(headers).toEqual([
        ['Set-Cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
        ['set-cookie', 'b=2'],
      ]);
      expect(settled).toEqual([undefined]);
    });
  });
});
