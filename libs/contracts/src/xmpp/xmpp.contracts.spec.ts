import { HttpStream, HttpStreamCancel, HttpStreamPart } from './xmpp.contracts.js';

describe('Xmpp.HttpStream', () => {
  it('takes the HTTP request with an optional idle timeout, and nothing else', () => {
    const request = { method: 'POST', url: 'http://agent.example/a2a', headers: [] };
    expect(HttpStream.request.safeParse({ ...request, idleTimeoutMs: 5_000 }).success).toBe(true);
    expect(HttpStream.request.safeParse({ ...request, extra: 1 }).success).toBe(false);
  });

  it('validates every kind of part, each with its seq', () => {
    const ok = [
      { kind: 'head', seq: 0, status: 200, headers: [['a', 'b']], via: 'a@b/c' },
      { kind: 'body', seq: 1, data: Buffer.from('data: x\n\n').toString('base64') },
      { kind: 'end', seq: 2 },
      { kind: 'error', seq: 3, error: { code: 'TIMEOUT', message: 'silent', retryable: true } },
    ];
    for (const part of ok) expect(HttpStreamPart.safeParse(part).success).toBe(true);
    const bad = [
      { kind: 'body', seq: 1, data: 'not base64!' },
      { kind: 'end' },
      { kind: 'head', seq: -1, status: 200, headers: [], via: 'x' },
      { kind: 'other', seq: 0 },
    ];
    for (const part of bad) expect(HttpStreamPart.safeParse(part).success).toBe(false);
  });

  it('cancels a stream by the id its request was sent with', () => {
    expect(HttpStreamCancel.subject('0b8f3c1e-1d2a-4c55-9a43-1f0e2d3c4b5a')).toBe(
      'sb.ctl.xmpp.http.stream.0b8f3c1e-1d2a-4c55-9a43-1f0e2d3c4b5a.cancel',
    );
    expect(HttpStreamCancel.pattern).toBe('sb.ctl.xmpp.http.stream.*.cancel');
  });
});
