import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Xmpp } from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import {
  AGENTS_DOMAIN as DOMAIN,
  type BridgePair,
  failureOf,
  MINUTES,
  startBridgePair,
  WITHIN_SECONDS,
} from './support/bridge.harness.js';

// A bridge (either side) that dies mid-exchange, on real processes: kill -9 of the agent's bridge
// while a request or a stream is in flight (the platform's bridge learns it from the agent's
// unavailable presence), and kill -9 of the platform's bridge while its NATS caller reads a stream
// (the caller learns it from the missing heartbeats). Each must end in seconds with a clear, retryable
// code — the exchanges allow minutes, so an outcome within WITHIN_SECONDS cannot be their timeout.

describe('exchanges whose bridge dies mid-flight (real Prosody, NATS and bridge processes)', () => {
  let pair: BridgePair;

  beforeAll(async () => {
    // The platform bridge beats every 500 ms (XMPP_BRIDGE_STREAM_HEARTBEAT_SECONDS, 2 s as shipped):
    // the caller still gives up after three missed ones, announced in the beats, and the last test
    // waits out those three — 1.5 s rather than 6 s.
    pair = await startBridgePair({
      platformEnv: () => ({ XMPP_BRIDGE_STREAM_HEARTBEAT_SECONDS: '0.5' }),
    });
  });

  afterAll(() => pair?.stop());

  /** The platform bridge sees the agent's bridge online again (its presence after a restart). */
  const agentOnline = () =>
    waitFor(
      async () =>
        (await pair.client.bus.request(Xmpp.Status, {})).peers.find(
          (p) => p.host === 'agent.example',
        )?.online,
      { timeoutMs: 30_000, what: "the agent's bridge back online" },
    );
  const sse = (url: string) =>
    pair.client.bus.requestStream(
      Xmpp.HttpStream,
      { method: 'POST', url, headers: [['Accept', 'text/event-stream']], idleTimeoutMs: MINUTES },
      { timeoutMs: MINUTES, idleTimeoutMs: MINUTES, cancel: Xmpp.HttpStreamCancel },
    );

  it("fails a request at once when the agent's bridge dies before answering (its unavailable presence)", async () => {
    const before = pair.target.requests.length;
    const request = failureOf(
      pair.client.bus.request(
        Xmpp.HttpRequest,
        {
          method: 'GET',
          url: 'http://agent.example/slow?ms=100000',
          headers: [],
          timeoutMs: MINUTES,
        },
        { timeoutMs: MINUTES + 5_000 },
      ),
    );
    await waitFor(() => pair.target.requests.length > before, {
      what: 'the request to reach the agent',
    });
    const killed = performance.now();
    await pair.agent.kill();
    const e = await request;
    expect(performance.now() - killed).toBeLessThan(WITHIN_SECONDS);
    expect(e).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { reason: 'peer-offline', jid: `agent@${DOMAIN}/agent-1` },
    });
    expect(e?.message).toContain('went offline');
    // The platform's session is untouched: the next request, to the restarted agent, succeeds.
    await pair.restart('agent');
    await agentOnline();
    const again = await pair.client.bus.request(Xmpp.HttpRequest, {
      method: 'GET',
      url: 'http://agent.example/echo',
      headers: [],
    });
    expect(again.status).toBe(200);
  });

  it("fails a stream at once when the agent's bridge dies while the response is being written", async () => {
    const before = pair.target.streams.length;
    const parts = sse('http://agent.example/sse');
    const seen: string[] = [];
    const done = failureOf(
      (async () => {
        for await (const part of parts) seen.push(part.kind);
      })(),
    );
    await waitFor(() => seen.includes('body'), { what: 'the first event to arrive' });
    expect(pair.target.streams[before]).toMatchObject({ ended: false });
    const killed = performance.now();
    await pair.agent.kill();
    const e = await done;
    expect(performance.now() - killed).toBeLessThan(WITHIN_SECONDS);
    expect(e).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { reason: 'peer-offline' },
    });
    await pair.restart('agent');
    await agentOnline();
  });

  it('tells a NATS caller within a few heartbeats that the platform bridge died mid-stream', async () => {
    const before = pair.target.streams.length;
    const parts = sse('http://agent.example/sse');
    const seen: string[] = [];
    const done = failureOf(
      (async () => {
        for await (const part of parts) seen.push(part.kind);
      })(),
    );
    await waitFor(() => seen.includes('body'), { what: 'the first event to arrive' });
    const killed = performance.now();
    await pair.platform.kill();
    const e = await done;
    const noticedMs = performance.now() - killed;
    expect(noticedMs).toBeLessThan(WITHIN_SECONDS);
    expect(e).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { reason: 'responder-silent', service: 'xmpp-bridge' },
    });
    expect(e?.message).toContain('xmpp-bridge stopped answering on sb.cmd.xmpp.http.stream');
    // The agent's side lets go too: its bridge saw the platform's JID go and aborted the target's
    // response, instead of keeping it open until its own idle limit.
    await waitFor(() => pair.target.streams[before]?.closedEarly, {
      what: "the agent's bridge to abort the target's stream",
    });
  });
});
