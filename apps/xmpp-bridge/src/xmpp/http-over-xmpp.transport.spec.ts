import { describe, expect, it } from '@jest/globals';
import type { DomainError } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { HttpOverXmppTransport } from './http-over-xmpp.transport.js';
import { parseChunkMessage, parseRequest, responseElement } from './http-over-xmpp.translator.js';
import { PresenceDirectory } from './presence.directory.js';
import {
  type IqHandler,
  IqErrorReply,
  type XmppConnection,
  XmppUnavailableError,
} from './xmpp-connection.js';

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
  readonly sent: Element[] = [];
  readonly handlers = new Map<string, IqHandler>();
  constructor(private readonly answer: (iq: Element) => Element | Error) {}
  describeOutage() {
    return 'the XMPP session is reconnecting';
  }
  handle(ns: string, name: string, h: IqHandler) {
    this.handlers.set(`${name} ${ns}`, h);
  }
  async send(s: Element) {
    this.sent.push(s);
  }
  async request(iq: Element) {
    if (!this.online) throw new XmppUnavailableError(this.describeOutage());
    this.sent.push(iq);
    const r = this.answer(iq);
    if (r instanceof Error) throw r;
    return r;
  }
}

function setup(answer: (iq: Element) => Element | Error, options = OPTIONS) {
  const connection = new FakeConnection(answer);
  const directory = new PresenceDirectory([], {
    send: async () => undefined,
    isAllowed: () => false,
    ownBare: 'me@x',
    logger,
  });
  const sut = new HttpOverXmppTransport(
    connection as unknown as XmppConnection,
    directory,
    options,
    logger,
  );
  return { sut, connection };
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
        body: Buffer.from('{"a":1}'),
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
      body: { kind: 'text', text: '{"a":1}' },
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
});
