import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { COMMAND_HEARTBEAT_MS, DomainError, Headers as H, Tools } from '@switchboard/contracts';
import { headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { IGNORED_FAILURES } from './bus-subscription.js';
import { ConnectionWatch } from './connection.watch.js';
import { ResponderSilentError } from './messaging.errors.js';
import {
  isHeartbeatSubject,
  RequestHeartbeats,
  requestedHeartbeats,
} from './request-heartbeats.js';

type Callback = (err: Error | null, msg: Msg) => void;
type Status = { type: 'disconnect' | 'reconnect' };

/** A connection reduced to one wildcard subscription and a status stream the test drives. */
function fakeConnection() {
  const subscriptions: { subject: string; callback: Callback }[] = [];
  const pending: Status[] = [];
  let wake: (() => void) | undefined;
  const nc = {
    subscribe: (subject: string, opts: { callback: Callback }) => {
      subscriptions.push({ subject, callback: opts.callback });
      return { unsubscribe: () => undefined, isClosed: () => false };
    },
    flush: () => Promise.resolve(),
    status: () => ({
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (pending.length) yield pending.shift()!;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    }),
  } as unknown as NatsConnection;
  return {
    nc,
    subscriptions,
    status: async (s: Status) => {
      pending.push(s);
      wake?.();
      // Let the watch's loop take it.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
    beat: (subject: string) => subscriptions[0]?.callback(null, { subject } as Msg),
  };
}

function setup() {
  jest.useFakeTimers();
  const conn = fakeConnection();
  const sut = new RequestHeartbeats(
    conn.nc,
    'orchestrator',
    new ConnectionWatch(conn.nc),
    IGNORED_FAILURES,
    2_000,
    3,
  );
  return { conn, sut };
}

/** Whether `p` has settled (rejected) by now. */
async function settled(p: Promise<unknown>): Promise<unknown> {
  let outcome: unknown = 'pending';
  p.catch((e: unknown) => (outcome = e));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return outcome;
}

describe(RequestHeartbeats.name, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('gives each request a subject under the caller’s own inbox, on one wildcard subscription', () => {
    const { conn, sut } = setup();
    const a = sut.open(Tools.ToolsCall);
    const b = sut.open(Tools.ToolsCall);
    expect(conn.subscriptions).toHaveLength(1);
    expect(conn.subscriptions[0]?.subject).toMatch(/^_INBOX\.orchestrator\.hb\.[A-Za-z0-9]+\.\*$/);
    expect(a.subject).not.toBe(b.subject);
    for (const t of [a, b]) {
      expect(t.subject.startsWith('_INBOX.orchestrator.hb.')).toBe(true);
      expect(isHeartbeatSubject(t.subject)).toBe(true);
      t.close();
    }
  });

  it('fails a request after three silent intervals from its sending, and not before', async () => {
    const { sut } = setup();
    const t = sut.open(Tools.ToolsCall);
    jest.advanceTimersByTime(5_999);
    expect(await settled(t.silent)).toBe('pending');
    jest.advanceTimersByTime(1);
    const e = await settled(t.silent);
    expect(e).toBeInstanceOf(ResponderSilentError);
    expect(e).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: {
        reason: 'responder-silent',
        subject: Tools.ToolsCall.subject,
        service: 'mcp-tools',
      },
    });
  });

  it('keeps a request whose responder beats alive for as long as it beats', async () => {
    const { conn, sut } = setup();
    const t = sut.open(Tools.ToolsCall);
    for (let i = 0; i < 30; i++) {
      jest.advanceTimersByTime(2_000);
      conn.beat(t.subject);
    }
    expect(await settled(t.silent)).toBe('pending');
    jest.advanceTimersByTime(6_000);
    expect(await settled(t.silent)).toBeInstanceOf(ResponderSilentError);
  });

  it('does not count the silence while the caller itself is cut from NATS', async () => {
    const { conn, sut } = setup();
    const t = sut.open(Tools.ToolsCall);
    jest.advanceTimersByTime(1_000);
    await conn.status({ type: 'disconnect' });
    jest.advanceTimersByTime(30_000);
    expect(await settled(t.silent)).toBe('pending');
    await conn.status({ type: 'reconnect' });
    jest.advanceTimersByTime(5_999);
    expect(await settled(t.silent)).toBe('pending');
    jest.advanceTimersByTime(1);
    expect(await settled(t.silent)).toBeInstanceOf(ResponderSilentError);
  });

  it('settles nothing once closed', async () => {
    const { sut } = setup();
    const t = sut.open(Tools.ToolsCall);
    t.close();
    jest.advanceTimersByTime(60_000);
    expect(await settled(t.silent)).toBe('pending');
  });

  it('accepts only inbox subjects as heartbeat subjects', () => {
    expect(isHeartbeatSubject('_INBOX.orchestrator.hb.abc.1')).toBe(true);
    for (const bad of [
      'sb.cmd.audit.query',
      '_INBOX',
      '_INBOX.*',
      '_INBOX.a.>',
      '_INBOX.a b',
      `_INBOX.${'x'.repeat(300)}`,
    ])
      expect(isHeartbeatSubject(bad)).toBe(false);
  });
});

describe(requestedHeartbeats.name, () => {
  const headers = (values: Record<string, string>) => {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(values)) h.set(k, v);
    return h;
  };
  const to = '_INBOX.orchestrator.hb.abc.0';

  it('asks for none without a heartbeat subject', () => {
    expect(requestedHeartbeats('sb.cmd.x', undefined)).toBeUndefined();
    expect(
      requestedHeartbeats('sb.cmd.x', headers({ [H.heartbeatInterval]: '500' })),
    ).toBeUndefined();
  });

  it('beats at the interval the caller asks for, else COMMAND_HEARTBEAT_MS', () => {
    expect(requestedHeartbeats('sb.cmd.x', headers({ [H.heartbeat]: to }))).toEqual({
      to,
      intervalMs: COMMAND_HEARTBEAT_MS,
    });
    expect(
      requestedHeartbeats('sb.cmd.x', headers({ [H.heartbeat]: to, [H.heartbeatInterval]: '500' })),
    ).toEqual({ to, intervalMs: 500 });
  });

  it('refuses a subject outside the inbox, or an interval that is not 100–60000 whole ms, naming the header', () => {
    const e = requestedHeartbeats('sb.cmd.x', headers({ [H.heartbeat]: 'sb.cmd.audit.query' }));
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).message).toContain(H.heartbeat);
    for (const interval of ['99', '60001', '1.5', '-1', 'soon']) {
      const bad = requestedHeartbeats(
        'sb.cmd.x',
        headers({ [H.heartbeat]: to, [H.heartbeatInterval]: interval }),
      );
      expect(bad).toMatchObject({ code: 'VALIDATION' });
      expect((bad as DomainError).message).toContain(H.heartbeatInterval);
    }
  });
});
