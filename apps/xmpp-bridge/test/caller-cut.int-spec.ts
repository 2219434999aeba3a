import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Xmpp } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  startTcpProxy,
  type TcpProxy,
  waitFor,
} from '@switchboard/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type BridgePair,
  failureOf,
  MINUTES,
  startBridgePair,
  WITHIN_SECONDS,
} from './support/bridge.harness.js';

// The platform bridge's NATS caller (the a2a service) cut from NATS while its exchange is under way,
// the bridge and the agent untouched: a TCP proxy stands between that caller and the real nats-server.
// A reply sent while the caller is away is lost (core NATS keeps nothing for an absent inbox); the
// caller must find out within a few heartbeats of being back — the exchanges allow minutes — and a
// request made while it is away must go out once it is back rather than be lost.

describe('a NATS caller of the bridge cut from NATS mid-exchange (real Prosody, NATS and bridges)', () => {
  let pair: BridgePair;
  let proxy: TcpProxy;
  let caller: BusClient;
  /** Connected directly: sees what the bridge sends to the caller's inboxes while the caller is away. */
  let observer: NatsConnection;

  beforeAll(async () => {
    pair = await startBridgePair();
    proxy = await startTcpProxy({ port: Number(new URL(pair.nats.url).port) });
    const viaProxy = `nats://127.0.0.1:${proxy.port}`;
    // The caller asks the platform bridge for heartbeats every 500 ms (2 s by default): the first
    // test waits out three of them once the caller is back — 1.5 s rather than 6.
    caller = await createBusClient(
      viaProxy,
      'a2a',
      { servers: [viaProxy] },
      { commandHeartbeatMs: 500 },
    );
    observer = await connect({ servers: pair.nats.url });
  });

  afterAll(async () => {
    await observer?.close();
    await caller?.close();
    await proxy?.stop();
    await pair?.stop();
  });

  const cut = async () => {
    await proxy.refuse();
    await waitFor(() => !caller.bus.connected, { what: 'the caller to see its connection drop' });
  };

  const reconnect = async () => {
    await proxy.accept();
    await waitFor(() => caller.bus.connected, { what: 'the caller to reconnect' });
    return performance.now();
  };

  it('fails a request whose reply was lost while the caller was away within a few heartbeats of its return', async () => {
    const before = pair.target.streams.length;
    // The bridge's reply to the caller's inbox, seen by a client that is not cut.
    const replies = observer.subscribe('_INBOX.a2a.>');
    const replied = (async () => {
      for await (const m of replies) if (m.string().includes('"status":200')) return true;
      return false;
    })();
    const request = failureOf(
      caller.bus.request(
        Xmpp.HttpRequest,
        { method: 'GET', url: 'http://agent.example/sse', headers: [], timeoutMs: MINUTES },
        { timeoutMs: MINUTES },
      ),
    );
    await waitFor(() => pair.target.streams.length > before, {
      what: 'the request to reach the agent',
    });
    await cut();
    pair.target.streams[before]?.release();
    expect(await replied).toBe(true);
    replies.unsubscribe();
    const back = await reconnect();
    const e = await request;
    expect(performance.now() - back).toBeLessThan(WITHIN_SECONDS);
    expect(e).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { reason: 'responder-silent', service: 'xmpp-bridge' },
    });
  });

  it('sends a stream request made while the caller is away once it is back, and carries the stream', async () => {
    const before = pair.target.streams.length;
    await cut();
    const kinds: string[] = [];
    const done = (async () => {
      for await (const part of caller.bus.requestStream(
        Xmpp.HttpStream,
        {
          method: 'POST',
          url: 'http://agent.example/sse',
          headers: [['Accept', 'text/event-stream']],
          idleTimeoutMs: MINUTES,
        },
        { timeoutMs: MINUTES, idleTimeoutMs: MINUTES, cancel: Xmpp.HttpStreamCancel },
      ))
        kinds.push(part.kind);
    })();
    await reconnect();
    await waitFor(() => pair.target.streams.length > before, {
      what: 'the stream request to reach the agent once the caller is back',
      timeoutMs: WITHIN_SECONDS,
    });
    await waitFor(() => kinds.includes('body'), { what: 'the first event' });
    pair.target.streams[before]?.release();
    await done;
    expect(kinds[0]).toBe('head');
    expect(kinds.filter((k) => k === 'body').length).toBeGreaterThanOrEqual(2);
  });
});
