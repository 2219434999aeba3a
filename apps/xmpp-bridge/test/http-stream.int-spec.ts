import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DomainError, Xmpp } from '@switchboard/contracts';
import { type ServiceHandle, waitFor } from '@switchboard/testing';
import {
  AGENTS_DOMAIN as DOMAIN,
  type BridgePair,
  startBridgePair,
} from './support/bridge.harness.js';

// Streamed responses end to end: a NATS caller (NatsBus.requestStream on Xmpp.HttpStream) → the
// platform's bridge → Prosody → an agent's bridge (server mode) → a local SSE target, and the events
// back as the target writes them. The target holds its second event until the test releases it, so
// "the first event arrived before the response was finished" is checked by construction, not by time.
describe('streamed HTTP responses over XMPP (real Prosody, NATS and bridge processes)', () => {
  let pair: BridgePair;
  let target: BridgePair['target'];
  let agent: BridgePair['agent'];
  let platform: BridgePair['platform'];
  let client: BridgePair['client'];

  beforeAll(async () => {
    pair = await startBridgePair();
    ({ target, agent, platform, client } = pair);
  });

  afterAll(() => pair?.stop());

  const stream = (
    url: string,
    extra: Partial<Xmpp.HttpOverXmppStreamRequest> = {},
    signal?: AbortSignal,
  ) =>
    client.bus.requestStream(
      Xmpp.HttpStream,
      { method: 'POST', url, headers: [['Accept', 'text/event-stream']], ...extra },
      { timeoutMs: 30_000, cancel: Xmpp.HttpStreamCancel, ...(signal ? { signal } : {}) },
    );
  const text = (part: Xmpp.HttpStreamPart) =>
    part.kind === 'body' ? Buffer.from(part.data, 'base64').toString() : '';
  const exchangeLines = (service: ServiceHandle) =>
    service
      .logs()
      .split('\n')
      .filter((l) => l.includes('"xmpp exchange"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('delivers the first SSE event to the NATS caller while the target is still writing the response', async () => {
    const before = target.streams.length;
    const seen: string[] = [];
    let body = '';
    for await (const part of stream('http://agent.example/sse?n=1')) {
      if (part.kind === 'head') {
        expect(part).toMatchObject({ status: 200, via: `agent@${DOMAIN}/agent-1` });
        expect(part.headers).toContainEqual(['Content-Type', 'text/event-stream']);
        seen.push('head');
        continue;
      }
      body += text(part);
      if (body === 'data: first\n\n' && !seen.includes('first')) {
        seen.push('first');
        // The target has not finished: its second event waits for this release.
        const held = target.streams[before];
        expect(held).toMatchObject({ url: '/sse?n=1', ended: false, closedEarly: false });
        held?.release();
      }
    }
    expect(seen).toEqual(['head', 'first']);
    expect(body).toBe('data: first\n\ndata: second\n\n');
    expect(target.streams[before]?.ended).toBe(true);
    const out = await waitFor(
      () => exchangeLines(platform).find((l) => l['streamed'] === true && l['path'] === '/sse'),
      { what: 'the platform bridge logging the streamed exchange' },
    );
    expect(out).toMatchObject({ direction: 'out', outcome: 'ok', status: 200, bytes: body.length });
    const served = await waitFor(
      () => exchangeLines(agent).find((l) => l['streamed'] === true && l['outcome'] === 'ok'),
      { what: "the agent's bridge logging the streamed exchange" },
    );
    expect(served).toMatchObject({ direction: 'in', from: `platform@${DOMAIN}`, path: '/sse' });
  });

  it('still delivers a streamed response whole through sb.cmd.xmpp.http.request, at its end', async () => {
    const before = target.streams.length;
    const whole = client.bus.request(
      Xmpp.HttpRequest,
      { method: 'GET', url: 'http://agent.example/sse?n=2', headers: [] },
      { timeoutMs: 30_000 },
    );
    const held = await waitFor(() => target.streams[before], { what: 'the target streaming' });
    held.release();
    const res = await whole;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ encoding: 'text', data: 'data: first\n\ndata: second\n\n' });
  });

  it('answers ordinary responses on the stream contract too: head, body, end', async () => {
    const parts: Xmpp.HttpStreamPart[] = [];
    for await (const p of stream('http://agent.example/chunked', { method: 'GET' })) parts.push(p);
    expect(parts.map((p) => p.kind)).toEqual(['head', 'body']);
    expect(parts.map(text).join('')).toBe('{"chunked":true}');
  });

  it('aborts the target request when the caller stops reading (cancel → <close/> → abort)', async () => {
    const before = target.streams.length;
    for await (const part of stream('http://agent.example/sse?n=3')) {
      if (part.kind === 'body') break;
    }
    const held = await waitFor(() => target.streams[before], { what: 'the target streaming' });
    await waitFor(() => held.closedEarly, { what: 'the target request to be aborted' });
    expect(held.ended).toBe(false);
    await waitFor(
      () =>
        exchangeLines(agent).find(
          (l) => l['streamed'] === true && l['outcome'] === 'CANCELLED' && l['path'] === '/sse',
        ),
      { what: "the agent's bridge logging the cancelled stream" },
    );
  });

  it('ends a silent stream with TIMEOUT after its idle time, and aborts the target request', async () => {
    const before = target.streams.length;
    const kinds: string[] = [];
    let error: DomainError | undefined;
    try {
      for await (const part of stream('http://agent.example/sse?n=4', { idleTimeoutMs: 500 }))
        kinds.push(part.kind);
    } catch (e) {
      error = e as DomainError;
    }
    expect(kinds).toEqual(['head', 'body']);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    const held = await waitFor(() => target.streams[before], { what: 'the target streaming' });
    await waitFor(() => held.closedEarly, { what: 'the target request to be aborted' });
  });

  it('fails typed as an error part: an unmapped host', async () => {
    let error: DomainError | undefined;
    try {
      for await (const _ of stream('http://nowhere.example/sse')) void _;
    } catch (e) {
      error = e as DomainError;
    }
    expect(error).toMatchObject({ code: 'NOT_FOUND', name: 'RemoteError' });
  });
});
