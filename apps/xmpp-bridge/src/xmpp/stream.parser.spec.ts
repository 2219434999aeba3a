import { describe, expect, it } from '@jest/globals';
import type { Element } from '@xmpp/xml';
import { unescapeXml, XmppStreamParser } from './stream.parser.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' version='1.0'>";

function collect(parser: XmppStreamParser) {
  const elements: Element[] = [];
  const errors: Error[] = [];
  let root: Element | undefined;
  let ended = false;
  parser.on('start', (el: Element) => (root = el));
  parser.on('element', (el: Element) => elements.push(el));
  parser.on('error', (e: Error) => errors.push(e));
  parser.on('end', () => (ended = true));
  return { elements, errors, root: () => root, ended: () => ended };
}

describe(XmppStreamParser.name, () => {
  it('emits the stream header, each stanza with its namespace from the stream, and the end', () => {
    const sut = new XmppStreamParser();
    const out = collect(sut);
    sut.write(HEADER);
    sut.write(
      "<iq type='result' id='1'><query xmlns='urn:x'><item a=\"&quot;b&quot;\"/></query></iq> <message><body>hi &amp; &#x1F600;</body></message>",
    );
    sut.write('</stream:stream>');
    expect(out.root()?.attrs['id']).toBe('s1');
    expect(out.elements.map((e) => e.name)).toEqual(['iq', 'message']);
    const [iq, message] = out.elements;
    expect(iq!.getNS()).toBe('jabber:client');
    expect(iq!.getChild('query', 'urn:x')?.getChild('item')?.attrs['a']).toBe('"b"');
    expect(message!.getChildText('body')).toBe('hi & 😀');
    expect(out.ended()).toBe(true);
    expect(out.errors).toEqual([]);
  });

  it('reassembles stanzas split at every possible byte, including inside a UTF-8 character and an entity', () => {
    const stanza =
      "<message id='m'><body>héllo &lt;wörld&gt; 😀 <![CDATA[a<b&c]]></body></message>";
    const bytes = Buffer.from(HEADER + stanza);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const sut = new XmppStreamParser();
      const out = collect(sut);
      sut.write(bytes.subarray(0, cut));
      sut.write(bytes.subarray(cut));
      expect(out.errors).toEqual([]);
      expect(out.elements[0]?.getChildText('body')).toBe('héllo <wörld> 😀 a<b&c');
    }
  });

  it('parses a large text node fed in small chunks in linear time', () => {
    const sut = new XmppStreamParser();
    const out = collect(sut);
    sut.write(HEADER);
    const body = 'x'.repeat(4 * 1024 * 1024);
    const stanza = Buffer.from(`<message><body>${body}</body></message>`);
    const started = performance.now();
    for (let i = 0; i < stanza.length; i += 1_000) sut.write(stanza.subarray(i, i + 1_000));
    // A quadratic parser needs minutes here; a linear one needs milliseconds (bound, not benchmark).
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(out.elements[0]?.getChildText('body')?.length).toBe(body.length);
  });

  it('reports malformed XML and refuses DTDs and oversized stanzas', () => {
    const mismatch = new XmppStreamParser();
    const a = collect(mismatch);
    mismatch.write(`${HEADER}<iq><query></iq>`);
    expect(a.errors[0]?.message).toMatch(/query must be closed/);

    const dtd = new XmppStreamParser();
    const b = collect(dtd);
    dtd.write(`${HEADER}<!DOCTYPE x [<!ENTITY a "b">]>`);
    expect(b.errors[0]?.message).toMatch(/not allowed/);

    const big = new XmppStreamParser({ maxStanzaChars: 1_000 });
    const c = collect(big);
    big.write(HEADER);
    big.write(`<message><body>${'y'.repeat(2_000)}`);
    expect(c.errors[0]?.message).toMatch(/larger than 1000/);
  });

  it('ignores whitespace keepalives between stanzas', () => {
    const sut = new XmppStreamParser();
    const out = collect(sut);
    sut.write(`${HEADER} \n <presence/>  `);
    expect(out.elements).toHaveLength(1);
    expect(out.root()?.children).toEqual([]);
  });
});

describe(unescapeXml.name, () => {
  it('decodes entities and character references, refusing illegal characters', () => {
    expect(unescapeXml('a &amp;&lt;&gt;&quot;&apos; &#65;&#x42;')).toBe('a &<>"\' AB');
    expect(() => unescapeXml('&#0;')).toThrow(/illegal/);
    expect(unescapeXml('&amp;lt; &amp;quot; &amp;amp;')).toBe('&lt; &quot; &amp;');
    expect(unescapeXml('&#38;amp; &amp;#65;')).toBe('&amp; &#65;');
  });
});
