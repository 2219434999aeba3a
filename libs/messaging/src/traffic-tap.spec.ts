import { describe, expect, it, jest } from '@jest/globals';
import { headers, type Msg, type NatsConnection, type Status } from '@nats-io/transport-node';
import type { BusMessage, SubscriptionObserver } from './bus-subscription.js';
import { type StoredMessage, TrafficTap } from './traffic-tap.js';

type Callback = (err: Error | null, msg: Msg) => void;

interface Stored {
  subject: string;
  data: string;
  headers?: Record<string, string>;
  time: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const reply = (body: unknown) => ({ data: encoder.encode(JSON.stringify(body)) }) as Msg;
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Whether a NATS subject filter (`*`, `>`) takes `subject`. */
function takes(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/**
 * A connection that answers JetStream's API as a server holding `streams` would (sequence numbers
 * from 1), records subscriptions' callbacks as nats.js holds them, and lets a test push status events.
 */
function fakeConnection(streams: Record<string, Stored[]>) {
  const callbacks = new Map<string, Callback>();
  const statuses: Status[] = [];
  let wake: (() => void) | undefined;
  const requests: { subject: string; body: unknown }[] = [];
  const nc = {
    options: { inboxPrefix: '_INBOX.operator' },
    request: (subject: string, data: Uint8Array) => {
      const body: unknown = data.length ? JSON.parse(decoder.decode(data)) : undefined;
      requests.push({ subject, body });
      if (subject === '$JS.API.INFO') return Promise.resolve(reply({ type: 'account_info' }));
      const stream = /^\$JS\.API\.STREAM\.MSG\.GET\.(.+)$/.exec(subject)?.[1] ?? '';
      const messages = streams[stream];
      if (!messages)
        return Promise.resolve(
          reply({ error: { code: 404, err_code: 10059, description: 'stream not found' } }),
        );
      const { seq, next_by_subj } = body as { seq: number; next_by_subj: string };
      const at = messages.findIndex((m, i) => i + 1 >= seq && takes(next_by_subj, m.subject));
      if (at < 0)
        return Promise.resolve(
          reply({ error: { code: 404, err_code: 10037, description: 'no message found' } }),
        );
      const m = messages[at]!;
      const h = headers();
      for (const [k, v] of Object.entries(m.headers ?? {})) h.set(k, v);
      return Promise.resolve(
        reply({
          message: {
            subject: m.subject,
            seq: at + 1,
            data: base64(encoder.encode(m.data)),
            ...(m.headers
              ? { hdrs: base64((h as unknown as { encode(): Uint8Array }).encode()) }
              : {}),
            time: m.time,
          },
        }),
      );
    },
    subscribe: (subject: string, opts: { callback: Callback }) => {
      callbacks.set(subject, opts.callback);
      return { isClosed: () => false, unsubscribe: () => callbacks.delete(subject) };
    },
    flush: () => Promise.resolve(),
    status: () => ({
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = statuses.shift();
          if (next) yield next;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    }),
    closed: () => Promise.resolve(undefined),
    isClosed: () => false,
  } as unknown as NatsConnection;
  return {
    nc,
    requests,
    /** What nats.js does: calls the callback from inside its parser. */
    deliver: (subject: string, err: Error | null, msg: Partial<Msg>) =>
      callbacks.get(subject)!(err, msg as Msg),
    status: (s: Status) => {
      statuses.push(s);
      wake?.();
    },
  };
}

function observer() {
  return {
    refused: jest.fn<SubscriptionObserver['refused']>(),
    failed: jest.fn<SubscriptionObserver['failed']>(),
  };
}

async function all(messages: AsyncIterable<StoredMessage>): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  for await (const m of messages) out.push(m);
  return out;
}

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const OTHER = '0b9a8c7d-1111-4222-8333-444455556666';

describe(TrafficTap.name, () => {
  it('reads the stored messages a filter takes, oldest first, one by one, until there is no further one', async () => {
    const conn = fakeConnection({
      SB_TASK_EVENTS: [
        { subject: `sb.evt.task.${TASK}.a`, data: '{"seq":1}', time: '2026-05-01T10:00:00Z' },
        { subject: `sb.evt.task.${OTHER}.a`, data: '{"seq":1}', time: '2026-05-01T10:00:01Z' },
        {
          subject: `sb.evt.task.${TASK}.b`,
          data: '{"seq":2}',
          headers: { 'x-sb-source': 'orchestrator' },
          time: '2026-05-01T10:00:02.5Z',
        },
      ],
    });
    const sut = TrafficTap.over(conn.nc, { observer: observer() });
    const read = await all(sut.storedMessages('SB_TASK_EVENTS', `sb.evt.task.${TASK}.>`));
    expect(read.map((m) => [m.subject, m.seq, decoder.decode(m.data)])).toEqual([
      [`sb.evt.task.${TASK}.a`, 1, '{"seq":1}'],
      [`sb.evt.task.${TASK}.b`, 3, '{"seq":2}'],
    ]);
    expect(read[1]!.time.toISOString()).toBe('2026-05-01T10:00:02.500Z');
    expect(read[1]!.headers?.get('x-sb-source')).toBe('orchestrator');
    // MSG.GET only (what a read-only identity may send), each from after the last one read
    expect(conn.requests.slice(1)).toEqual([
      {
        subject: '$JS.API.STREAM.MSG.GET.SB_TASK_EVENTS',
        body: { seq: 1, next_by_subj: `sb.evt.task.${TASK}.>` },
      },
      {
        subject: '$JS.API.STREAM.MSG.GET.SB_TASK_EVENTS',
        body: { seq: 2, next_by_subj: `sb.evt.task.${TASK}.>` },
      },
      {
        subject: '$JS.API.STREAM.MSG.GET.SB_TASK_EVENTS',
        body: { seq: 4, next_by_subj: `sb.evt.task.${TASK}.>` },
      },
    ]);
    expect(await all(sut.storedMessages('SB_TASK_EVENTS', 'sb.evt.task.none.>'))).toEqual([]);
  });

  it('fails the reading, in the caller’s await, when the stream cannot be read', async () => {
    const sut = TrafficTap.over(fakeConnection({}).nc, { observer: observer() });
    await expect(all(sut.storedMessages('SB_AUDIT', 'sb.audit.*.x'))).rejects.toThrow(
      /stream not found/,
    );
  });

  it('guards its subscriptions: a handler that throws or a refusal never reaches the client', async () => {
    const conn = fakeConnection({});
    const seen = observer();
    const sut = TrafficTap.over(conn.nc, { observer: seen });
    const handled: BusMessage[] = [];
    const sub = sut.subscribeRaw('sb.>', (m) => {
      handled.push(m);
      throw new Error('broken');
    });
    const msg = { subject: 'sb.evt.tools.changed', data: new Uint8Array(), reply: '' };
    expect(() => conn.deliver('sb.>', null, msg)).not.toThrow();
    expect(handled.map((m) => m.subject)).toEqual(['sb.evt.tools.changed']);
    expect(seen.failed).toHaveBeenCalledWith('sb.>', 'handler', expect.any(Error));
    const refusal = new Error('Permissions Violation for Subscription to "sb.>"');
    expect(() => conn.deliver('sb.>', refusal, {})).not.toThrow();
    expect(seen.refused).toHaveBeenCalledWith('sb.>', refusal.message);
    await expect(sub.ready).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('tells what the server says is wrong, once, except a refused subscription (its subscription tells that)', async () => {
    const conn = fakeConnection({});
    const told: string[] = [];
    TrafficTap.over(conn.nc, {
      observer: observer(),
      onServerError: (message) => {
        told.push(message);
        throw new Error('a listener that throws');
      },
    });
    const refusal = Object.assign(new Error('Permissions Violation for Subscription to "sb.>"'), {
      operation: 'subscription',
    });
    conn.status({ type: 'error', error: refusal } as Status);
    conn.status({
      type: 'error',
      error: new Error('Permissions Violation for Publish to "sb.cmd.audit.verify"'),
    } as Status);
    conn.status({ type: 'error', error: new Error('Authorization Violation') } as Status);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(told).toEqual([
      'Permissions Violation for Publish to "sb.cmd.audit.verify"',
      'Authorization Violation',
    ]);
  });

  it('says how the connection ended: undefined when closed on purpose', async () => {
    const sut = TrafficTap.over(fakeConnection({}).nc, { observer: observer() });
    await expect(sut.closed()).resolves.toBeUndefined();
  });
});
