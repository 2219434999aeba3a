import { describe, expect, it, jest } from '@jest/globals';
import { type DomainError, TAP_WATCH_SUBJECT, Tools, Xmpp } from '@switchboard/contracts';
import { headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { Metrics } from '@switchboard/observability';
import { decodeJson, encodeJson } from './codec.js';
import { subscriptionObserver } from './bus-subscription.js';
import { ConnectionWatch } from './connection.watch.js';
import { NatsBus } from './nats-bus.service.js';
import { type StreamRequestBus, StreamRequestCall } from './stream-request.call.js';
import type { StreamRequestOptions } from './stream-request.options.js';

type Callback = (err: Error | null, msg: Msg) => void;

/** Just enough of a NATS connection: subscriptions by subject, and a record of every publish. */
class FakeNats {
  readonly subs = new Map<string, Callback>();
  readonly published: { subject: string; data: unknown; reply?: string }[] = [];
  /** Called for each publish (the responder of a test). */
  onPublish: ((subject: string, reply: string | undefined) => void) | undefined;

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
    this.published.push({
      subject,
      data: decodeJson(data),
      ...(opts.reply ? { reply: opts.reply } : {}),
    });
    this.onPublish?.(subject, opts.reply);
  }

  /** Delivers a message to the inbox of the last streamed request. */
  deliver(body: unknown, status?: number) {
    const reply = this.request?.reply ?? '';
    const msg = {
      data: body === undefined ? new Uint8Array() : encodeJson(body),
      headers: status ? natsHeaders(status, 'No Responders') : undefined,
    } as unknown as Msg;
    this.subs.get(reply)?.(null, msg);
  }

  get request() {
    return this.published.find((p) => p.subject === Xmpp.HttpStream.subject);
  }

  private readonly statuses: { type: string }[] = [];
  private statusWake: (() => void) | undefined;

  /** The connection's status events, as the client reports them (fed by `emitStatus`). */
  status(): AsyncIterable<{ type: string }> {
    const statuses = this.statuses;
    const wait = () => new Promise<void>((resolve) => (this.statusWake = resolve));
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = statuses.shift();
          if (next) yield next;
          else await wait();
        }
      },
    };
  }

  /** The connection drops or comes back; resolves once the bus has taken it in. */
  async emitStatus(type: 'disconnect' | 'reconnect'): Promise<void> {
    this.statuses.push({ type });
    this.statusWake?.();
    await new Promise((resolve) => setImmediate(resolve));
  }

  get cancels() {
    return this.published.filter((p) => p.subject.startsWith('sb.ctl.xmpp.http.stream.'));
  }
}

function setup() {
  const nats = new FakeNats();
  const metrics = { observeNatsRequest: jest.fn() };
  const sut = new NatsBus(
    nats as unknown as NatsConnection,
    { service: 'a2a', instance: 't', nats: { servers: [] } },
    metrics as unknown as Metrics,
  );
  return { sut, nats, metrics };
}

const REQUEST: Xmpp.HttpOverXmppStreamRequest = {
  method: 'POST',
  url: 'http://agent.example/a2a',
  headers: [['Accept', 'text/event-stream']],
};
const head = { kind: 'head', seq: 0, status: 200, headers: [], via: 'agent@x/1' } as const;
const body = (seq: number, text: string) => ({
  kind: 'body' as const,
  seq,
  data: Buffer.from(text).toString('base64'),
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
}

describe(`${NatsBus.name}.requestStream`, () => {
  it('sends the request in the envelope to a fresh inbox and yields the parts in seq order', async () => {
    const { sut, nats, metrics } = setup();
    nats.onPublish = (subject) => {
      if (subject !== Xmpp.HttpStream.subject) return;
      // Out of order on purpose: the stream puts them back in order.
      nats.deliver(body(2, 'b'));
      nats.deliver(head);
      nats.deliver(body(1, 'a'));
      nats.deliver(body(1, 'a')); // a duplicate is dropped
      nats.deliver({ kind: 'end', seq: 3 });
    };
    const parts = await collect(
      sut.requestStream(Xmpp.HttpStream, REQUEST, { cancel: Xmpp.HttpStreamCancel }),
    );
    expect(parts.map((p) => [p.kind, p.seq])).toEqual([
      ['head', 0],
      ['body', 1],
      ['body', 2],
    ]);
    const sent = nats.request as { data: { pattern: string; data: unknown; id: string } };
    expect(sent.data).toMatchObject({ pattern: Xmpp.HttpStream.subject, data: REQUEST });
    expect([...nats.subs.keys()]).toEqual([TAP_WATCH_SUBJECT]); // the watchers' only
    expect(nats.cancels).toEqual([]);
    expect(metrics.observeNatsRequest).toHaveBeenCalledWith(
      Xmpp.HttpStream.subject,
      'ok',
      expect.any(Number),
    );
  });

  it('sends nothing before the iteration starts, and refuses an invalid request', async () => {
    const { sut, nats } = setup();
    const it = sut.requestStream(Xmpp.HttpStream, REQUEST);
    expect(nats.published).toEqual([]);
    await it.return(undefined);
    const invalid = await failure(
      collect(sut.requestStream(Xmpp.HttpStream, { ...REQUEST, url: 'not a url' })),
    );
    expect(invalid.code).toBe('VALIDATION');
    expect(nats.published).toEqual([]);
  });

  it('fails with UPSTREAM_UNAVAILABLE when nobody serves the subject (and cancels nothing)', async () => {
    const { sut, nats } = setup();
    nats.onPublish = (subject) => {
      if (subject === Xmpp.HttpStream.subject) nats.deliver(undefined, 503);
    };
    const e = await failure(
      collect(sut.requestStream(Xmpp.HttpStream, REQUEST, { cancel: Xmpp.HttpStreamCancel })),
    );
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(nats.cancels).toEqual([]);
  });

  it("throws the responder's error part as a RemoteError, after the parts before it", async () => {
    const { sut, nats } = setup();
    const seen: string[] = [];
    nats.onPublish = (subject) => {
      if (subject !== Xmpp.HttpStream.subject) return;
      nats.deliver(head);
      nats.deliver({
        kind: 'error',
        seq: 1,
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'too big', retryable: false },
      });
    };
    const e = await failure(
      (async () => {
        for await (const p of sut.requestStream(Xmpp.HttpStream, REQUEST, {
          cancel: Xmpp.HttpStreamCancel,
        }))
          seen.push(p.kind);
      })(),
    );
    expect(seen).toEqual(['head']);
    expect(e).toMatchObject({ name: 'RemoteError', code: 'PAYLOAD_TOO_LARGE', message: 'too big' });
    expect(nats.cancels).toEqual([]);
  });

  it('fails with UPSTREAM_ERROR on a part that breaks the contract', async () => {
    const { sut, nats } = setup();
    nats.onPublish = (subject) => {
      if (subject === Xmpp.HttpStream.subject) nats.deliver({ kind: 'body', seq: 0, data: '%%' });
    };
    const e = await failure(collect(sut.requestStream(Xmpp.HttpStream, REQUEST)));
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.message).toContain('data');
  });

  it('times out without a first part, and after a silence once started; both cancel the stream', async () => {
    const { sut, nats } = setup();
    const first = await failure(
      collect(
        sut.requestStream(Xmpp.HttpStream, REQUEST, {
          timeoutMs: 20,
          cancel: Xmpp.HttpStreamCancel,
        }),
      ),
    );
    expect(first).toMatchObject({ code: 'TIMEOUT', retryable: true });
    const id = (nats.request?.data as { id: string }).id;
    expect(nats.cancels).toEqual([
      {
        subject: Xmpp.HttpStreamCancel.subject(id),
        data: { pattern: Xmpp.HttpStreamCancel.subject(id), data: { reason: expect.any(String) } },
      },
    ]);

    const again = setup();
    again.nats.onPublish = (subject) => {
      if (subject === Xmpp.HttpStream.subject) again.nats.deliver(head);
    };
    const seen: string[] = [];
    const idle = await failure(
      (async () => {
        for await (const p of again.sut.requestStream(Xmpp.HttpStream, REQUEST, {
          timeoutMs: 5_000,
          idleTimeoutMs: 20,
          cancel: Xmpp.HttpStreamCancel,
        }))
          seen.push(p.kind);
      })(),
    );
    expect(seen).toEqual(['head']);
    expect(idle.code).toBe('TIMEOUT');
    expect(again.nats.cancels).toHaveLength(1);
  });

  it('cancels the stream and unsubscribes when the caller leaves early', async () => {
    const { sut, nats } = setup();
    nats.onPublish = (subject) => {
      if (subject === Xmpp.HttpStream.subject) {
        nats.deliver(head);
        nats.deliver(body(1, 'more to come'));
      }
    };
    for await (const p of sut.requestStream(Xmpp.HttpStream, REQUEST, {
      cancel: Xmpp.HttpStreamCancel,
    })) {
      expect(p.kind).toBe('head');
      break;
    }
    expect([...nats.subs.keys()]).toEqual([TAP_WATCH_SUBJECT]); // the watchers' only
    expect(nats.cancels).toHaveLength(1);
  });

  it("ends with the signal's reason when aborted while waiting, and cancels the stream", async () => {
    const { sut, nats } = setup();
    const controller = new AbortController();
    nats.onPublish = (subject) => {
      if (subject === Xmpp.HttpStream.subject) nats.deliver(head);
    };
    const reason = new Error('the delegation was cancelled');
    const seen: string[] = [];
    const e = await failure(
      (async () => {
        for await (const p of sut.requestStream(Xmpp.HttpStream, REQUEST, {
          signal: controller.signal,
          cancel: Xmpp.HttpStreamCancel,
        })) {
          seen.push(p.kind);
          controller.abort(reason);
        }
      })(),
    );
    expect(seen).toEqual(['head']);
    expect(e).toBe(reason);
    expect([...nats.subs.keys()]).toEqual([TAP_WATCH_SUBJECT]); // the watchers' only
    expect(nats.cancels).toHaveLength(1);
  });
});

describe(`${NatsBus.name}.requestStream while the connection drops`, () => {
  const heartbeat = { kind: 'heartbeat', intervalMs: 1_000 } as const;

  it('waits for the connection before sending: a request published while disconnected is lost', async () => {
    const { sut, nats } = setup();
    await nats.emitStatus('disconnect');
    nats.onPublish = (subject) => {
      if (subject !== Xmpp.HttpStream.subject) return;
      nats.deliver(head);
      nats.deliver({ kind: 'end', seq: 1 });
    };
    const parts = collect(sut.requestStream(Xmpp.HttpStream, REQUEST, { timeoutMs: 5_000 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(nats.request).toBeUndefined();
    await nats.emitStatus('reconnect');
    expect((await parts).map((p) => p.kind)).toEqual(['head']);
  });

  it('fails UPSTREAM_UNAVAILABLE, without sending, when the connection stays down for the whole wait', async () => {
    const { sut, nats } = setup();
    await nats.emitStatus('disconnect');
    const e = await failure(
      collect(
        sut.requestStream(Xmpp.HttpStream, REQUEST, {
          timeoutMs: 20,
          cancel: Xmpp.HttpStreamCancel,
        }),
      ),
    );
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(e.message).toContain('was not sent');
    expect(nats.published).toEqual([]);
  });

  it('takes a request the responder never acknowledged before the drop for lost, once the grace after the reconnection is over', async () => {
    const { sut, nats } = setup();
    const parts = failure(
      collect(
        sut.requestStream(Xmpp.HttpStream, REQUEST, {
          timeoutMs: 60_000,
          lostGraceMs: 20,
          cancel: Xmpp.HttpStreamCancel,
        }),
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(nats.request).toBeDefined();
    await nats.emitStatus('disconnect');
    await nats.emitStatus('reconnect');
    const e = await parts;
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(e.message).toBe(
      'the NATS connection was lost while waiting for xmpp-bridge on sb.cmd.xmpp.http.stream',
    );
    // The responder may have had it after all: it is told to stop.
    expect(nats.cancels).toHaveLength(1);
  });

  it('keeps a request the responder acknowledges after the reconnection, or had acknowledged before the drop', async () => {
    for (const beatBeforeDrop of [false, true]) {
      const { sut, nats } = setup();
      nats.onPublish = (subject) => {
        if (subject === Xmpp.HttpStream.subject && beatBeforeDrop) nats.deliver(heartbeat);
      };
      const parts = collect(
        sut.requestStream(Xmpp.HttpStream, REQUEST, { timeoutMs: 60_000, lostGraceMs: 20 }),
      );
      await new Promise((resolve) => setImmediate(resolve));
      await nats.emitStatus('disconnect');
      await nats.emitStatus('reconnect');
      if (!beatBeforeDrop) nats.deliver(heartbeat);
      // Well past the grace, within the responder's heartbeat allowance: the stream goes on.
      await new Promise((resolve) => setTimeout(resolve, 100));
      nats.deliver(head);
      nats.deliver({ kind: 'end', seq: 1 });
      expect((await parts).map((p) => p.kind)).toEqual(['head']);
    }
  });
});

describe(`${NatsBus.name}.request on a subject with a placeholder`, () => {
  const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
  const call = { tool: 'calculator', input: { expression: '1+1' } };

  /** A connection that answers every request with `{response}` and records where it went. */
  function answering() {
    const nats = new FakeNats();
    const sent: { subject: string; pattern: unknown }[] = [];
    const connection = {
      subscribe: nats.subscribe.bind(nats),
      publish: nats.publish.bind(nats),
      flush: nats.flush.bind(nats),
      request: (subject: string, data: Uint8Array) => {
        sent.push({ subject, pattern: (decodeJson(data) as { pattern: unknown }).pattern });
        const result = { tool: 'calculator', output: 2, durationMs: 1, replayed: false };
        return Promise.resolve({ data: encodeJson({ response: result, isDisposed: true }) });
      },
    };
    const metrics = { observeNatsRequest: jest.fn() };
    const sut = new NatsBus(
      connection as unknown as NatsConnection,
      { service: 'orchestrator', instance: 't', nats: { servers: [] } },
      metrics as unknown as Metrics,
    );
    return { sut, sent, metrics };
  }

  it("sends a tool call on its task's subject, or on `_` without one; metrics by the template", async () => {
    const { sut, sent, metrics } = answering();
    await sut.request(Tools.ToolsCall, { ...call, taskId: TASK });
    await sut.request(Tools.ToolsCall, call);
    expect(sent).toEqual([
      { subject: `sb.cmd.tools.call.${TASK}`, pattern: `sb.cmd.tools.call.${TASK}` },
      { subject: 'sb.cmd.tools.call._', pattern: 'sb.cmd.tools.call._' },
    ]);
    expect(metrics.observeNatsRequest).toHaveBeenCalledWith(
      'sb.cmd.tools.call.{taskId}',
      'ok',
      expect.any(Number),
    );
  });
});

describe(`${StreamRequestCall.name} phases`, () => {
  function call(opts: StreamRequestOptions = {}) {
    const nats = new FakeNats();
    const metrics = { observeNatsRequest: jest.fn() };
    const bus: StreamRequestBus = {
      nc: nats as unknown as NatsConnection,
      service: 'a2a',
      watch: new ConnectionWatch(nats as unknown as NatsConnection),
      observer: subscriptionObserver(metrics as unknown as Metrics, undefined),
      metrics: metrics as unknown as Metrics,
      connectionWait: (ms) => ms,
      publishCancel: (_c, streamId) =>
        nats.publish(`sb.ctl.xmpp.http.stream.${streamId}.cancel`, encodeJson({})),
    };
    const sut = new StreamRequestCall(
      bus,
      Xmpp.HttpStream,
      Xmpp.HttpStream.subject,
      REQUEST,
      { cancel: Xmpp.HttpStreamCancel, ...opts },
      (_c, e) => new Error(JSON.stringify(e)),
    );
    return { sut, nats, metrics };
  }

  it('connecting → awaiting → streaming → ended, with no cancel', async () => {
    const { sut, nats, metrics } = call();
    expect(sut.state).toBe('connecting');
    await sut.send();
    expect(sut.state).toBe('awaiting');
    nats.deliver(head);
    await sut.next();
    expect(sut.state).toBe('streaming');
    nats.deliver({ kind: 'end', seq: 1 });
    expect(await sut.next()).toBeUndefined();
    sut.close();
    expect(sut.state).toBe('ended');
    expect(nats.cancels).toEqual([]);
    expect(metrics.observeNatsRequest).toHaveBeenCalledWith(
      Xmpp.HttpStream.subject,
      'ok',
      expect.any(Number),
    );
  });

  it('→ refused: the responder’s error part ends it without a cancel', async () => {
    const { sut, nats } = call();
    await sut.send();
    nats.deliver({
      kind: 'error',
      seq: 0,
      error: { code: 'NOT_FOUND', message: 'no such agent', retryable: false },
    });
    await expect(sut.next()).rejects.toThrow('NOT_FOUND');
    sut.close();
    expect(sut.state).toBe('refused');
    expect(nats.cancels).toEqual([]);
  });

  it('→ abandoned: the caller stopped reading after a part, so the cancel goes out (CANCELLED)', async () => {
    const { sut, nats, metrics } = call();
    await sut.send();
    nats.deliver(head);
    await sut.next();
    sut.close();
    expect(sut.state).toBe('abandoned');
    expect(nats.cancels).toHaveLength(1);
    expect(metrics.observeNatsRequest).toHaveBeenCalledWith(
      Xmpp.HttpStream.subject,
      'CANCELLED',
      expect.any(Number),
    );
  });

  it('→ abandoned: no first part within the timeout is a TIMEOUT, and the cancel goes out', async () => {
    const { sut, nats } = call({ timeoutMs: 20 });
    await sut.send();
    const e = await failure(sut.next());
    sut.failed(e);
    sut.close();
    expect(e.code).toBe('TIMEOUT');
    expect(sut.state).toBe('abandoned');
    expect(nats.cancels).toHaveLength(1);
  });

  it('→ unsent: aborted before it was sent, nothing is published', async () => {
    const signal = AbortSignal.abort(new Error('stopped'));
    const { sut, nats } = call({ signal });
    await expect(sut.send()).rejects.toThrow('stopped');
    sut.close();
    expect(sut.state).toBe('unsent');
    expect(nats.published).toEqual([]);
  });
});
