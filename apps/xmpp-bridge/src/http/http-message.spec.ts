import { describe, expect, it } from '@jest/globals';
import { isTextBody, isXmlSafe } from './http-message.js';

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
});
