import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { type DomainError, Xmpp } from '@switchboard/contracts';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Metrics } from '@switchboard/observability';
import { decodeJson, encodeJson } from './codec.js';
import { NatsBus } from './nats-bus.service.js';
import { startHeartbeat } from './stream-heartbeat.js';

type Callback = (err: Error | null, msg: Msg) => void;

/** A NATS connection reduced to what a streamed request uses: its inbox, and what it publishes. */
class FakeNats {
  readonly subs = new Map<string, Callback>();
  readonly published: { subject: string; data: unknown; reply?: string }[] = [];
  onRequest: (() => void) | undefined;

  subscribe(subject: string, opts: { callback: Callback }) {
    this.subs.set(subject, opts.callback);
    return {
      getSubject: () => subject,
      isClosed: () => !this.subs.has(subject),
      unsubscribe: () => this.subs.delete(subject),
    };
  }

  flush() {
    return Promise.resolve();
  }

  publish(subject: string, data: Uint8Array, opts: { reply?: string } = {}) {
    this.published.push({ subject, data: decodeJson(data), ...(opts.reply ? opts : {}) });
    if (subject === Xmpp.HttpStream.subject) this.onRequest?.();
  }

  /** A message from the responder to the request's inbox. */
  deliver(body: unknown) {
    const reply = this.published.find((p) => p.subject === Xmpp.HttpStream.subject)?.reply ?? '';
    this.subs.get(reply)?.(null, { data: encodeJson(body) } as unknown as Msg);
  }

  get cancels() {
    return this.published.filter((p) => p.subject.startsWith('sb.ctl.xmpp.http.stream.'));
  }
}

function setup() {
  const nats = new FakeNats();
  const sut = new NatsBus(
    nats as unknown as NatsConnection,
    { service: 'a2a', instance: 't', nats: { servers: [] } },
    { observeNatsRequest: jest.fn() } as unknown as Metrics,
  );
  return { sut, nats };
}

const REQUEST: Xmpp.HttpOverXmppStreamRequest = {
  method: 'POST',
  url: 'http://agent.example/a2a',
  headers: [['Accept', 'text/event-stream']],
};
const head = { kind: 'head', seq: 0, status: 200, headers: [], via: 'agent@x/1' } as const;
const beat = (intervalMs: number) => ({ kind: 'heartbeat', intervalMs });

async function kinds(
  sut: NatsBus,
  opts: Parameters<NatsBus['requestStream']>[2] = {},
): Promise<string[]> {
  const seen: string[] = [];
  for await (const p of sut.requestStream(Xmpp.HttpStream, REQUEST, {
    cancel: Xmpp.HttpStreamCancel,
    ...opts,
  }))
    seen.push(p.kind);
  return seen;
}

describe('NatsBus.requestStream with heartbeats', () => {
  let stopResponder: (() => void) | undefined;
  afterEach(() => stopResponder?.());

  it('takes heartbeats as liveness only: never yielded, no seq of their own', async () => {
    const { sut, nats } = setup();
    nats.onRequest = () => {
      nats.deliver(beat(1_000));
      nats.deliver(head);
      nats.deliver(beat(1_000));
      nats.deliver({ kind: 'body', seq: 1, data: Buffer.from('x').toString('base64') });
      nats.deliver({ kind: 'end', seq: 2 });
    };
    expect(await kinds(sut)).toEqual(['head', 'body']);
    expect(nats.cancels).toEqual([]);
  });

  it('fails at once when the heartbeats stop (UPSTREAM_UNAVAILABLE, retryable), not at the timeouts', async () => {
    const { sut, nats } = setup();
    // A responder that beats every 100 ms, sends the head, then dies: nothing more comes.
    nats.onRequest = () => {
      nats.deliver(beat(100));
      nats.deliver(head);
    };
    const started = performance.now();
    const e = await kinds(sut, { timeoutMs: 60_000, idleTimeoutMs: 60_000 }).then(
      () => undefined,
      (err: unknown) => err as DomainError,
    );
    expect(e).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { reason: 'responder-silent', service: 'xmpp-bridge' },
    });
    expect(e?.message).toContain('stopped answering on sb.cmd.xmpp.http.stream');
    // Three missed 100 ms beats: far from the minute the timeouts allow (a wide bound, not a measurement).
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(nats.cancels).toHaveLength(1);
  });

  it('keeps a stream whose peer is silent but whose responder beats, until the peer speaks again', async () => {
    const { sut, nats } = setup();
    let beats = 0;
    nats.onRequest = () => {
      nats.deliver(head);
      const timer = setInterval(() => {
        nats.deliver(beat(100));
        // Well past three 100 ms intervals without a part, the peer's body and the end arrive.
        if (++beats === 8) {
          nats.deliver({ kind: 'body', seq: 1, data: Buffer.from('late').toString('base64') });
          nats.deliver({ kind: 'end', seq: 2 });
        }
      }, 100);
      stopResponder = () => clearInterval(timer);
    };
    expect(await kinds(sut, { idleTimeoutMs: 60_000 })).toEqual(['head', 'body']);
    expect(beats).toBeGreaterThanOrEqual(8);
  });

  it('judges a responder that sends no heartbeats by the timeouts alone', async () => {
    const { sut, nats } = setup();
    nats.onRequest = () => nats.deliver(head);
    const e = await kinds(sut, { timeoutMs: 5_000, idleTimeoutMs: 50 }).then(
      () => undefined,
      (err: unknown) => err as DomainError,
    );
    expect(e?.code).toBe('TIMEOUT');
  });

  it('refuses a heartbeat that breaks the contract (an interval out of range) as an invalid part', async () => {
    const { sut, nats } = setup();
    nats.onRequest = () => nats.deliver({ kind: 'heartbeat', intervalMs: 0 });
    const e = await kinds(sut).then(
      () => undefined,
      (err: unknown) => err as DomainError,
    );
    expect(e?.code).toBe('UPSTREAM_ERROR');
  });
});

describe(startHeartbeat.name, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('beats at once, then every interval, until stopped; a failed send does not stop it', () => {
    jest.useFakeTimers();
    const sent: unknown[] = [];
    let fail = true;
    const stop = startHeartbeat((b) => {
      sent.push(b);
      if (fail) {
        fail = false;
        throw new Error('connection closing');
      }
    }, 2_000);
    expect(sent).toEqual([{ kind: 'heartbeat', intervalMs: 2_000 }]);
    jest.advanceTimersByTime(6_000);
    expect(sent).toHaveLength(4);
    stop();
    jest.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(4);
  });
});
