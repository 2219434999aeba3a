import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import { parseJsonBody } from './json-body.parser.js';

function refusal(text: string): string {
  try {
    parseJsonBody(text);
    return 'accepted';
  } catch (e) {
    return e instanceof DomainError ? `${e.code}: ${e.message}` : `other: ${String(e)}`;
  }
}

describe(parseJsonBody.name, () => {
  it('parses JSON, including keys that merely mention constructor or escapes', () => {
    expect(parseJsonBody('{"task":"x","n":[1,2]}')).toEqual({ task: 'x', n: [1, 2] });
    expect(parseJsonBody('{"constructor":"a","t":"\\u00e9"}')).toEqual({
      constructor: 'a',
      t: 'é',
    });
    expect(parseJsonBody('"text"')).toBe('text');
  });

  it('refuses prototype-poisoning keys by name, escaped ones too', () => {
    expect(refusal('{"task":"x","__proto__":{"admin":true}}')).toBe(
      'VALIDATION: request body must not contain the key "__proto__"',
    );
    expect(refusal('{"a":{"\\u005f_proto__":{}}}')).toMatch(/"__proto__"/);
    expect(refusal('{"constructor":{"prototype":{"x":1}}}')).toMatch(
      /"constructor" object with a "prototype" key/,
    );
  });

  it('says why malformed or empty JSON is refused', () => {
    expect(refusal('{"task": "x",')).toMatch(/^VALIDATION: request body is not valid JSON: \S/);
    expect(refusal('')).toMatch(/^VALIDATION: request body is empty/);
  });
});
