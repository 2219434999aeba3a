import { describe, expect, it } from '@jest/globals';
import { isTextBody, isXmlSafe, xmlTextLength, xmlTextLengthOfUtf8 } from './http-message.js';

describe('HTTP bodies', () => {
  it('treats textual media types with UTF-8 content as text, everything else as binary', () => {
    const json = Buffer.from('{"a":"é"}');
    expect(isTextBody([['Content-Type', 'application/json; charset=utf-8']], json)).toBe(true);
    expect(isTextBody([['content-type', 'application/a2a+json']], json)).toBe(true);
    expect(isTextBody([['Content-Type', 'text/event-stream']], json)).toBe(true);
    expect(isTextBody([['Content-Type', 'image/png']], json)).toBe(false);
    expect(isTextBody([['Content-Type', 'text/plain; charset=iso-8859-1']], json)).toBe(false);
    expect(isTextBody([['Content-Type', 'application/json']], Buffer.from([0xff, 0xfe]))).toBe(
      false,
    );
    expect(isTextBody([], json)).toBe(true);
    expect(isTextBody([], Buffer.from([0x61, 0x00]))).toBe(false);
  });

  it('knows which text XML cannot carry', () => {
    expect(isXmlSafe('tab\tnewline\n😀')).toBe(true);
    expect(isXmlSafe('bell\u0007')).toBe(false);
    expect(isXmlSafe('lone \ud800 surrogate')).toBe(false);
    expect(isXmlSafe('\uffff')).toBe(false);
  });

  it('measures text as an XML server writes it, on strings and on UTF-8 bytes alike', () => {
    for (const text of ['plain words', '{"a":"é"}', "it's <b> & </b>", 'tab\tnewline\n😀']) {
      const escaped = text
        .replaceAll('&', '&amp;')
        .replaceAll('<', '&lt;')
        .replaceAll('>', '&gt;')
        .replaceAll('"', '&quot;')
        .replaceAll("'", '&apos;');
      expect(xmlTextLength(text)).toBe(escaped.length);
      expect(xmlTextLengthOfUtf8(Buffer.from(text))).toBe(Buffer.byteLength(escaped));
    }
    for (const bad of ['bell\u0007', '\uffff', 'x\ufffe'])
      expect(xmlTextLengthOfUtf8(Buffer.from(bad))).toBe(-1);
    expect(xmlTextLengthOfUtf8(Buffer.from('\uffee is fine'))).toBeGreaterThan(0);
  });
});
