import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import { type BusMessage, encodeJson } from '@switchboard/messaging';
import { createLogger } from '@switchboard/observability';
import { HTTP_STREAM } from './http-stream.machine.js';
import { HttpStreamResponder, PART_BYTES } from './http-stream.responder.js';

const logger = createLogger({
  service: 'xmpp-bridge',
  instance: 't',
  level: 'silent',
  pretty: false,
});
const REQUEST = { method: 'GET', url: 'http://agent.example/stream', headers: [] };
const HEAD = {
  status: 200,
  headers: [['content-type', 'text/event-stream']] as [string, string][],
  via: 'agent@example/x',
};

/** A streamed request as NATS delivers it, and the parts the responder sends back. */
function incoming(body: unknown, opts: { maxPayload?: number } = {}) {
  const parts: Record<string, unknown>[] = [];
  const msg: BusMessage = {
    subject: 'sb.cmd.xmpp.http.stream',
    data: typeof body === 'string' ? new TextEncoder().encode(body) : encodeJson(body),
    reply: '_sb_a2a.x',
    headers: undefined,
    header: () => undefined,
    respond: (bytes) => {
      parts.push(JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>);
      return true;
    },
  };
  const responder = new HttpStreamResponder(msg, opts.maxPayload, logger);
  return { responder, parts };
}

const envelope = (data: unknown = REQUEST) => ({
  pattern: 'sb.cmd.xmpp.http.stream',
  data,
  id: 'stream-1',
});

describe('the streamed HTTP exchange machine', () => {
  it('serves, streams and ends; or fails, breaks or is cancelled while open', () => {
    expect(HTTP_STREAM.walk('accepted', 'head', 'end').history).toEqual([
      'received',
      'serving',
      'streaming',
      'ended',
    ]);
    for (const open of ['serving', 'streaming'] as const)
      for (const [t, to] of [
        ['failed', 'failed'],
        ['broke', 'broken'],
        ['cancelled', 'cancelled'],
      ] as const)
        expect(HTTP_STREAM.target(open, t)).toBe(to);
  });

  it('sends nothing after a final phase, and refuses only what it has not accepted', () => {
    for (const final of ['ended', 'failed', 'broken', 'cancelled', 'refused'] as const)
      expect(HTTP_STREAM.isFinal(final)).toBe(true);
    expect(HTTP_STREAM.target('serving', 'refused')).toBeUndefined();
    expect(HTTP_STREAM.target('streaming', 'head')).toBeUndefined();
  });
});

describe(HttpStreamResponder.name, () => {
  it('received → refused: a body that is not the envelope gets one VALIDATION error part', () => {
    const { responder, parts } = incoming('not json');
    expect(responder.accept()).toBeUndefined();
    expect(responder.state).toBe('refused');
    expect(parts).toEqual([
      expect.objectContaining({
        kind: 'error',
        seq: 0,
        error: expect.objectContaining({ code: 'VALIDATION' }),
      }),
    ]);
  });

  it('received → refused: a request the contract refuses names the field', () => {
    const { responder, parts } = incoming(envelope({ ...REQUEST, url: 'not a url' }));
    expect(responder.accept()).toBeUndefined();
    expect(JSON.stringify(parts[0])).toContain('url');
  });

  it('serving → streaming → ended: head, body parts of at most PART_BYTES, end, seq without gaps', () => {
    const { responder, parts } = incoming(envelope());
    expect(responder.accept()).toMatchObject({ id: 'stream-1', input: { url: REQUEST.url } });
    const sink = responder.sink(() => undefined);
    sink.head(HEAD);
    sink.data(Buffer.alloc(2 * PART_BYTES + 10, 'a'));
    responder.end();
    expect(responder.state).toBe('ended');
    expect(parts.map((p) => [p['kind'], p['seq']])).toEqual([
      ['head', 0],
      ['body', 1],
      ['body', 2],
      ['body', 3],
      ['end', 4],
    ]);
  });

  it('→ broken: a part NATS cannot carry becomes an error part, the source is stopped, nothing follows', () => {
    const { responder, parts } = incoming(envelope(), { maxPayload: 2_000 });
    responder.accept();
    const stopped: DomainError[] = [];
    const sink = responder.sink((reason) => stopped.push(reason));
    sink.head(HEAD);
    sink.data(Buffer.alloc(PART_BYTES, 'a'));
    sink.data(Buffer.alloc(10, 'b'));
    responder.end();
    responder.fail(new Error('late'), new AbortController().signal);
    expect(responder.state).toBe('broken');
    expect(stopped.map((r) => r.code)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(parts.map((p) => p['kind'])).toEqual(['head', 'error']);
    expect(parts[1]).toMatchObject({ seq: 1, error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('→ cancelled: after the caller’s cancel nothing is sent', () => {
    const { responder, parts } = incoming(envelope());
    responder.accept();
    const caller = new AbortController();
    caller.abort(new DomainError('CANCELLED', 'the caller cancelled'));
    responder.fail(new Error('aborted'), caller.signal);
    expect(responder.state).toBe('cancelled');
    expect(parts).toEqual([]);
  });

  it('→ failed: stopped by the bridge shutting down, the caller gets that reason', () => {
    const { responder, parts } = incoming(envelope());
    responder.accept();
    responder.sink(() => undefined).head(HEAD);
    const shutdown = new AbortController();
    shutdown.abort(new DomainError('UPSTREAM_UNAVAILABLE', 'the bridge is stopping'));
    responder.fail(new Error('aborted'), shutdown.signal);
    expect(responder.state).toBe('failed');
    expect(parts.at(-1)).toMatchObject({
      kind: 'error',
      seq: 1,
      error: { code: 'UPSTREAM_UNAVAILABLE' },
    });
  });
});
