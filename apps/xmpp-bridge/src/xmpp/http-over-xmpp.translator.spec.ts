import { describe, expect, it } from '@jest/globals';
import { XmppStreamParser } from './stream.parser.js';
import {
  HeadersNotCarriedError,
  parseRequest,
  parseResponse,
  requestDialect,
  requestElement,
  responseElement,
  WireFormatError,
} from './http-over-xmpp.translator.js';
import { chunkMessage, parseChunkMessage } from './http-over-xmpp.stream-frames.js';
import type { Element } from '@xmpp/xml';

/** Parses one stanza the way it arrives from a server (namespaces from the stream header). */
function parse(stanza: string): Element {
  const parser = new XmppStreamParser();
  let out: Element | undefined;
  parser.on('element', (el: Element) => (out = el));
  parser.write(
    `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>${stanza}`,
  );
  if (!out) throw new Error('no stanza');
  return out;
}

describe('XEP-0332 translator', () => {
  it("reads the XEP's own request example", () => {
    const iq = parse(`<iq type='set' from='client@example.org/gw' to='agent@example.org' id='r1'>
      <req xmlns='urn:xmpp:http' method='POST' resource='/a2a' version='1.1' maxChunkSize='8192'>
        <headers xmlns='http://jabber.org/protocol/shim'>
          <header name='Host'>agent.example.org</header>
          <header name='Content-Type'>application/json</header>
        </headers>
        <data><text>{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t1"}}</text></data>
      </req></iq>`);
    const [payload] = iq.getChildElements();
    expect(requestDialect(payload!)).toBe('xep');
    expect(parseRequest(payload!)).toEqual({
      dialect: 'xep',
      method: 'POST',
      resource: '/a2a',
      version: '1.1',
      maxChunkSize: 8192,
      headers: [
        ['Host', 'agent.example.org'],
        ['Content-Type', 'application/json'],
      ],
      body: {
        kind: 'text',
        text: '{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t1"}}',
      },
    });
  });

  it('round-trips requests and responses in both dialects, escaping text', () => {
    for (const dialect of ['xep', 'slixmpp'] as const) {
      const req = requestElement({
        dialect,
        method: 'PUT',
        resource: '/x?a=1&b=2',
        version: '1.1',
        headers: [['A', '<1>']],
        body: { kind: 'text', text: 'a < b & "c"' },
      });
      expect(req.name).toBe(dialect === 'xep' ? 'req' : 'request');
      const back = parseRequest(
        parse(`<iq type='set'>${req.toString()}</iq>`).getChildElements()[0]!,
      );
      expect(back).toMatchObject({
        dialect,
        method: 'PUT',
        resource: '/x?a=1&b=2',
        headers: [['A', '<1>']],
        body: { kind: 'text', text: 'a < b & "c"' },
      });
      const resp = responseElement({
        dialect,
        status: 201,
        statusMessage: 'Created',
        version: '1.1',
        headers: [],
        body: { kind: 'base64', data: 'AAE=' },
      });
      expect(parseResponse(parse(`<iq type='result'>${resp.toString()}</iq>`))).toEqual({
        dialect,
        status: 201,
        statusMessage: 'Created',
        version: '1.1',
        headers: [],
        body: { kind: 'base64', data: 'AAE=' },
      });
    }
  });

  it('joins repeated header names for slixmpp (it keeps headers in a dict) but not for the XEP', () => {
    const headers: [string, string][] = [
      ['Accept', 'a'],
      ['accept', 'b'],
    ];
    const xep = requestElement({
      dialect: 'xep',
      method: 'GET',
      resource: '/',
      version: '1.1',
      headers,
    });
    expect(xep.toString()).toContain(
      '<header name="Accept">a</header><header name="accept">b</header>',
    );
    const slix = requestElement({
      dialect: 'slixmpp',
      method: 'GET',
      resource: '/',
      version: '1.1',
      headers,
    });
    expect(slix.toString()).toContain('<header name="Accept">a, b</header>');
  });

  it('never joins Set-Cookie for slixmpp (RFC 6265): each keeps its header under its own spelling; Cookie pairs join with "; "', () => {
    const element = (dialect: 'xep' | 'slixmpp', headers: [string, string][]) =>
      responseElement({ dialect, status: 200, version: '1.1', headers });
    const names = (el: Element) =>
      el
        .getChild('headers')
        ?.getChildren('header')
        .map((h) => [h.attrs['name'] as string, h.text()]);
    const cookies: [string, string][] = [
      ['Set-Cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
      ['X-Multi', 'a'],
      ['Set-Cookie', 'b=2'],
      ['set-cookie', 'c=3'],
      ['X-Multi', 'b'],
    ];
    // No exact name twice (slixmpp's dict would break): the spellings differ, the values are intact.
    expect(names(element('slixmpp', cookies))).toEqual([
      ['Set-Cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
      ['X-Multi', 'a, b'],
      ['set-cookie', 'b=2'],
      ['Set-cookie', 'c=3'],
    ]);
    // The XEP's dialect carries every header as it is.
    expect(names(element('xep', cookies))).toEqual(cookies);
    const request = requestElement({
      dialect: 'slixmpp',
      method: 'GET',
      resource: '/',
      version: '1.1',
      headers: [
        ['Cookie', 'a=1'],
        ['Cookie', 'b=2'],
      ],
    });
    expect(request.toString()).toContain('<header name="Cookie">a=1; b=2</header>');
  });

  it("reads slixmpp's spellings of one name back as the first one's, and keeps the XEP's verbatim", () => {
    const headers: [string, string][] = Array.from({ length: 3 }, (_, i) => [
      'Set-Cookie',
      `c${i}=v${i}`,
    ]);
    const read = (dialect: 'xep' | 'slixmpp') =>
      parseResponse(
        parse(
          `<iq type='result' id='1'>${responseElement({ dialect, status: 200, version: '1.1', headers }).toString()}</iq>`,
        ),
      ).headers;
    expect(read('slixmpp')).toEqual(headers);
    expect(read('xep')).toEqual(headers);
    const sent = parseResponse(
      parse(`<iq type='result' id='1'><response xmlns='urn:xmpp:http' version='1.1' statusCode='200'>
        <headers xmlns='http://jabber.org/protocol/shim'>
          <header name='set-cookie'>a=1</header><header name='SET-COOKIE'>b=2</header>
        </headers></response></iq>`),
    );
    expect(sent.headers).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
  });

  it('refuses more Set-Cookie headers than the name has spellings (512) for slixmpp', () => {
    const cookies = (n: number): [string, string][] =>
      Array.from({ length: n }, (_, i) => ['Set-Cookie', `c${i}=v${i}`]);
    const element = (n: number) =>
      responseElement({ dialect: 'slixmpp', status: 200, version: '1.1', headers: cookies(n) });
    const spelled = element(512)
      .getChild('headers')
      ?.getChildren('header')
      .map((h) => h.attrs['name'] as string);
    expect(new Set(spelled).size).toBe(512);
    expect(() => element(513)).toThrow(HeadersNotCarriedError);
    expect(() => element(513)).toThrow(
      /513 Set-Cookie headers cannot reach a peer in slixmpp's XEP-0332 dialect: .* there are only 512/,
    );
  });

  it('announces chunked bodies and carries their chunks in messages', () => {
    const resp = responseElement({
      dialect: 'xep',
      status: 200,
      version: '1.1',
      headers: [],
      body: { kind: 'chunked', streamId: 's1' },
    });
    expect(parseResponse(parse(`<iq type='result'>${resp.toString()}</iq>`)).body).toEqual({
      kind: 'chunked',
      streamId: 's1',
    });
    const msg = chunkMessage('a@b/c', { streamId: 's1', nr: 3, data: 'QUJD', last: true });
    expect(parseChunkMessage(parse(msg.toString()))).toEqual({
      streamId: 's1',
      nr: 3,
      data: 'QUJD',
      last: true,
    });
    expect(
      parseChunkMessage(parse("<message><close xmlns='urn:xmpp:http' streamId='s1'/></message>")),
    ).toEqual({ close: 's1' });
    expect(
      parseChunkMessage(
        parse("<message><chunk xmlns='urn:xmpp:http' streamId='s1' nr='-1'>x</chunk></message>"),
      ),
    ).toBeUndefined();
  });

  it('reads <xml/>, empty <data/> and <ibb/> bodies and marks transfers it does not implement', () => {
    const xmlBody = parse(
      "<iq type='result'><resp xmlns='urn:xmpp:http' statusCode='200' version='1.1'><data><xml><doc a='1'><b/></doc></xml></data></resp></iq>",
    );
    expect(parseResponse(xmlBody).body).toEqual({ kind: 'xml', xml: '<doc a="1"><b/></doc>' });
    expect(
      parseResponse(
        parse("<iq><response xmlns='urn:xmpp:http' statusCode='204'><data/></response></iq>"),
      ).body,
    ).toEqual({ kind: 'text', text: '' });
    expect(
      parseResponse(
        parse(
          "<iq><resp xmlns='urn:xmpp:http' statusCode='200'><data><ibb sid='x'/></data></resp></iq>",
        ),
      ).body,
    ).toEqual({ kind: 'ibb', sid: 'x' });
    expect(
      parseResponse(
        parse(
          "<iq><resp xmlns='urn:xmpp:http' statusCode='200'><data><sipub xmlns='http://jabber.org/protocol/sipub' id='x'/></data></resp></iq>",
        ),
      ).body,
    ).toEqual({ kind: 'unsupported', name: 'sipub' });
  });

  it('refuses requests that break the XEP, saying why', () => {
    const bad = (attrs: string) => () =>
      parseRequest(parse(`<iq><req xmlns='urn:xmpp:http' ${attrs}/></iq>`).getChildElements()[0]!);
    expect(bad("method='CONNECT' resource='/'")).toThrow(/unsupported method/);
    expect(bad("method='GET' resource='http://evil.example/'")).toThrow(/resource must be a path/);
    expect(bad("method='GET' resource='/' maxChunkSize='10'")).toThrow(/maxChunkSize/);
    expect(bad("method='OPTIONS' resource='*'")).not.toThrow();
    expect(() =>
      parseResponse(parse("<iq><resp xmlns='urn:xmpp:http' statusCode='99'/></iq>")),
    ).toThrow(WireFormatError);
    expect(() => parseResponse(parse('<iq/>'))).toThrow(/no <resp\/>/);
  });
});
