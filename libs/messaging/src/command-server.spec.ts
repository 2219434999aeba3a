import { DomainError } from '@switchboard/contracts';
import { readEnvelope } from './command-server.js';

const SUBJECT = 'sb.cmd.tools.call';
const bytes = (text: string) => new TextEncoder().encode(text);

/** The VALIDATION message readEnvelope gives for `body` (fails the test when it accepts it). */
function refusal(body: Uint8Array): string {
  const out = readEnvelope(SUBJECT, body);
  if (!(out instanceof DomainError)) throw new Error(`accepted ${JSON.stringify(out)}`);
  expect(out.code).toBe('VALIDATION');
  expect(out.message.startsWith(`request on ${SUBJECT}`) || out.message.includes(SUBJECT)).toBe(
    true,
  );
  return out.message;
}

describe(readEnvelope.name, () => {
  it("reads Nest's envelope", () => {
    expect(
      readEnvelope(SUBJECT, bytes('{"pattern":"sb.cmd.tools.call","data":{"a":1},"id":"r1"}')),
    ).toEqual({ pattern: SUBJECT, data: { a: 1 }, id: 'r1' });
    expect(readEnvelope(SUBJECT, bytes('{"data":null}'))).toEqual({ data: null });
  });

  it('says what is wrong with a body that is not JSON', () => {
    expect(refusal(new Uint8Array())).toMatch(/has an empty body: send JSON/);
    expect(refusal(new Uint8Array([0xff, 0xfe, 0x00, 0x81]))).toMatch(
      /is not UTF-8 text \(4 bytes\)/,
    );
    const broken = refusal(bytes('{"data":{"password":"hunter2"'));
    expect(broken).toMatch(/is not valid JSON/);
    // The parser's own message can quote the body; the refusal never does.
    expect(broken).not.toContain('hunter2');
  });

  it('says what is wrong with JSON that is not the envelope', () => {
    expect(refusal(bytes('[1,2]'))).toMatch(/is an array, not Nest's envelope/);
    expect(refusal(bytes('42'))).toMatch(/is a number, not/);
    expect(refusal(bytes('"hi"'))).toMatch(/is a string, not/);
    expect(refusal(bytes('null'))).toMatch(/is null, not/);
    expect(refusal(bytes('{"tool":"calculator","input":{}}'))).toMatch(/"data" is missing/);
    expect(refusal(bytes('{"data":{},"extra":1}'))).toMatch(/extra/);
    expect(refusal(bytes('{"data":{},"id":{"x":1}}'))).toMatch(/id/);
  });
});
