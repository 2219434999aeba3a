import { describe, expect, it, jest } from '@jest/globals';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import {
  type BusMessage,
  guardedSubscribe,
  InvalidMessage,
  type SubscriptionObserver,
} from './bus-subscription.js';

type Callback = (err: Error | null, msg: Msg) => void;

/**
 * A connection that records the subscription's callback, as nats.js holds it; `flushes` are the
 * answers of its round trips in turn (an Error: the connection dropped first), then success.
 */
function fakeConnection(flushes: (Error | undefined)[] = []) {
  let callback: Callback | undefined;
  let closed = false;
  const nc = {
    subscribe: (subject: string, opts: { callback: Callback }) => {
      callback = opts.callback;
      return {
        isClosed: () => closed,
        unsubscribe: () => (closed = true),
        getSubject: () => subject,
      };
    },
    flush: () => {
      const e = flushes.shift();
      return e ? Promise.reject(e) : Promise.resolve();
    },
    isClosed: () => false,
  } as unknown as NatsConnection;
  return {
    nc,
    /** What nats.js does: calls the callback from its parser (an exception here kills the reader). */
    deliver: (err: Error | null, msg: Partial<Msg>) => callback!(err, msg as Msg),
  };
}

function observer() {
  return {
    refused: jest.fn<SubscriptionObserver['refused']>(),
    failed: jest.fn<SubscriptionObserver['failed']>(),
  };
}

const message = (subject: string): Partial<Msg> => ({
  subject,
  data: new Uint8Array([1]),
  reply: '',
  headers: undefined,
});

describe(guardedSubscribe.name, () => {
  it('reports a refusal once, never calls the handler with it, and rejects `ready` naming the subject', async () => {
    const conn = fakeConnection();
    const seen = observer();
    const handler = jest.fn<(m: BusMessage) => void>();
    const onRefused = jest.fn<(reason: string) => void>();
    const sut = guardedSubscribe(conn.nc, 'sb.dlq.>', handler, { onRefused }, seen);
    // nats.js passes the server's permission error with an empty object for the message.
    const violation = new Error('Permissions Violation for Subscription to "sb.dlq.>"');
    expect(() => conn.deliver(violation, {})).not.toThrow();
    expect(() => conn.deliver(violation, {})).not.toThrow();
    await expect(sut.ready).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('sb.dlq.>') as unknown,
    });
    expect(handler).not.toHaveBeenCalled();
    expect(onRefused).toHaveBeenCalledTimes(1);
    expect(onRefused).toHaveBeenCalledWith(violation.message);
    expect(seen.refused).toHaveBeenCalledWith('sb.dlq.>', violation.message);
    expect(sut.refusal).toBe(violation.message);
  });

  it('keeps an exception of the handler away from the client, counts it, and handles the next message', async () => {
    const conn = fakeConnection();
    const seen = observer();
    const subjects: string[] = [];
    const sut = guardedSubscribe(
      conn.nc,
      'sb.evt.>',
      (m) => {
        subjects.push(m.subject);
        if (m.subject === 'sb.evt.bad') throw new TypeError('boom');
      },
      {},
      seen,
    );
    await sut.ready;
    expect(() => conn.deliver(null, message('sb.evt.bad'))).not.toThrow();
    conn.deliver(null, message('sb.evt.good'));
    expect(subjects).toEqual(['sb.evt.bad', 'sb.evt.good']);
    expect(seen.failed).toHaveBeenCalledWith('sb.evt.>', 'handler', expect.any(TypeError));
  });

  it('counts a rejected promise of an async handler, and an invalid message as such', async () => {
    const conn = fakeConnection();
    const seen = observer();
    guardedSubscribe(
      conn.nc,
      'sb.evt.task.*.>',
      (m) =>
        m.subject.endsWith('async')
          ? Promise.reject(new Error('later'))
          : (() => {
              throw new InvalidMessage(m.subject, 'not JSON');
            })(),
      { label: 'sb.evt.task.*.>' },
      seen,
    );
    conn.deliver(null, message('sb.evt.task.t1.async'));
    conn.deliver(null, message('sb.evt.task.t1.invalid'));
    await Promise.resolve();
    expect(seen.failed.mock.calls.map(([subject, reason]) => [subject, reason])).toEqual([
      ['sb.evt.task.*.>', 'invalid'],
      ['sb.evt.task.*.>', 'handler'],
    ]);
  });

  it('survives an observer or onRefused that throws', () => {
    const conn = fakeConnection();
    const broken: SubscriptionObserver = {
      refused: () => {
        throw new Error('observer broke');
      },
      failed: () => {
        throw new Error('observer broke');
      },
    };
    guardedSubscribe(
      conn.nc,
      'sb.x',
      () => {
        throw new Error('handler broke');
      },
      {},
      broken,
    );
    expect(() => conn.deliver(new Error('refused'), {})).not.toThrow();
    expect(() => conn.deliver(null, message('sb.x'))).not.toThrow();
  });

  it('a connection that drops before the server confirmed the subscription: `ready` asks again once reconnected', async () => {
    jest.useFakeTimers();
    try {
      const disconnect = Object.assign(new Error('disconnect'), { name: 'NatsError' });
      const conn = fakeConnection([disconnect]);
      const sut = guardedSubscribe(conn.nc, 'sb.evt.x', () => undefined, {}, observer());
      let settled: unknown = 'pending';
      sut.ready.then(
        () => (settled = 'ready'),
        (e: unknown) => (settled = e),
      );
      await jest.advanceTimersByTimeAsync(1_000);
      expect(settled).toBe('ready');

      // One that never comes back is given up, as unavailable (retryable), naming the subject.
      const gone = fakeConnection(Array.from({ length: 9 }, () => disconnect));
      const lost = guardedSubscribe(gone.nc, 'sb.evt.y', () => undefined, {}, observer());
      const outcome = lost.ready.then(
        () => 'ready',
        (e: unknown) => e,
      );
      await jest.advanceTimersByTimeAsync(10_000);
      expect(await outcome).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        message: expect.stringContaining('sb.evt.y'),
      });
    } finally {
      jest.useRealTimers();
    }
  });
});
