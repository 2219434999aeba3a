import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, TAP_WATCH_EVERY_MS, TAP_WATCH_HOLD_MS } from '@switchboard/contracts';
import type { BusMessage, BusSubscription } from './bus-subscription.js';
import { decodeJson } from './codec.js';
import {
  COPY_BATCH_MS,
  CopiedTraffic,
  isTapSubject,
  LocalTrafficCopies,
  mayTakeCopies,
  unpackTapBatch,
} from './local-traffic.js';

const text = (s: string) => new TextEncoder().encode(s);

describe(LocalTrafficCopies.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends what one service exchanged in-process as one batch on its tap subject, each copy with its subject, reply and headers', () => {
    const sent: { subject: string; data: Uint8Array }[] = [];
    const copies = new LocalTrafficCopies(
      { publish: (subject, data) => sent.push({ subject, data }) },
      'sb.tap.orchestrator',
    );
    copies.heard();
    const h = natsHeaders();
    h.set(Headers.correlationId, 'c-1');
    copies.add('sb.cmd.tools.manifest', '{"pattern":"sb.cmd.tools.manifest","data":{}}', {
      reply: '_INBOX.orchestrator.local.1',
      headers: h,
    });
    copies.add('_INBOX.orchestrator.local.1', '{"response":{"tools":[]},"isDisposed":true}');
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(COPY_BATCH_MS);
    expect(sent.map((s) => s.subject)).toEqual(['sb.tap.orchestrator']);
    const unpacked = unpackTapBatch(sent[0]!.data) as BusMessage[];
    expect(unpacked.map((m) => [m.subject, m.reply])).toEqual([
      ['sb.cmd.tools.manifest', '_INBOX.orchestrator.local.1'],
      ['_INBOX.orchestrator.local.1', undefined],
    ]);
    expect(unpacked[0]!.header(Headers.correlationId)).toBe('c-1');
    expect(decodeJson(unpacked[1]!.data)).toEqual({ response: { tools: [] }, isDisposed: true });
    // a copy is never answered
    expect(unpacked[0]!.respond(text('{}'))).toBe(false);
  });

  it('sends a full batch at once, replaces a body too large to copy by its size, and survives a closed connection', () => {
    const sent: Uint8Array[] = [];
    let closed = false;
    const copies = new LocalTrafficCopies(
      {
        publish: (_s, data) => {
          if (closed) throw new Error('closed');
          sent.push(data);
        },
      },
      'sb.tap.gateway',
    );
    copies.heard();
    const big = JSON.stringify({ data: 'x'.repeat(100_000) });
    copies.add('sb.cmd.tools.call._', big);
    const fits = JSON.stringify({ data: 'y'.repeat(60_000) });
    for (let i = 0; i < 4; i++) copies.add('sb.cmd.tools.call._', fits);
    expect(sent).toHaveLength(0);
    copies.add('sb.cmd.tools.call._', fits);
    expect(sent).toHaveLength(1);
    const batch = unpackTapBatch(sent[0]!) as BusMessage[];
    expect(batch).toHaveLength(6);
    expect(decodeJson(batch[0]!.data)).toEqual({ omitted: 'too large to copy', bytes: big.length });
    expect(decodeJson(batch[1]!.data)).toEqual({ data: 'y'.repeat(60_000) });
    closed = true;
    copies.add('sb.cmd.tools.manifest', '{}');
    expect(() => jest.advanceTimersByTime(COPY_BATCH_MS)).not.toThrow();
  });
});

describe(`${LocalTrafficCopies.name}, watched or not`, () => {
  it('copies nothing until a watcher says it watches, and stops TAP_WATCH_HOLD_MS after the last time one did', () => {
    jest.useFakeTimers();
    try {
      let now = 1_000;
      const sent: string[] = [];
      const copies = new LocalTrafficCopies(
        { publish: (subject) => sent.push(subject) },
        'sb.tap.orchestrator',
        () => now,
      );
      copies.add('sb.cmd.tools.manifest', '{}');
      jest.advanceTimersByTime(COPY_BATCH_MS);
      expect(sent).toEqual([]); // nobody watches: nothing goes out
      copies.heard();
      now += TAP_WATCH_HOLD_MS - 1;
      copies.add('sb.cmd.tools.manifest', '{}');
      jest.advanceTimersByTime(COPY_BATCH_MS);
      expect(sent).toEqual(['sb.tap.orchestrator']);
      now += 1; // the watcher went quiet: its hold is over
      expect(copies.watched).toBe(false);
      copies.add('sb.cmd.tools.manifest', '{}');
      jest.advanceTimersByTime(COPY_BATCH_MS);
      expect(sent).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe(unpackTapBatch.name, () => {
  it('names what is wrong with a batch that is not one', () => {
    expect(unpackTapBatch(text('{'))).toBe('not JSON');
    expect(unpackTapBatch(text('{}'))).toMatch(/^\(body\): /);
    expect(unpackTapBatch(text('[{"subject":"","headers":[],"body":1}]'))).toMatch(/^0\.subject: /);
    expect(unpackTapBatch(text('[{"subject":"a","headers":[["k"]],"body":1}]'))).toMatch(
      /^0\.headers\.0/,
    );
    expect(unpackTapBatch(text('[{"subject":"a","headers":[],"body":1,"x":2}]'))).toMatch(/x/);
  });
});

describe(CopiedTraffic.name, () => {
  function setup() {
    const subs: { subject: string; handler: (m: BusMessage) => void; closed: boolean }[] = [];
    const failed = jest.fn();
    const traffic = new CopiedTraffic(
      (subject, handler) => {
        const s = { subject, handler: handler as (m: BusMessage) => void, closed: false };
        subs.push(s);
        return {
          subject,
          ready: Promise.resolve(),
          refusal: undefined,
          unsubscribe: () => (s.closed = true),
        } satisfies BusSubscription;
      },
      { refused: jest.fn(), failed },
    );
    const batch = (records: unknown[]): BusMessage => ({
      subject: 'sb.tap.orchestrator',
      data: text(JSON.stringify(records)),
      reply: undefined,
      headers: undefined,
      header: () => undefined,
      respond: () => false,
    });
    return { subs, traffic, batch, failed };
  }

  it('hands each listener the copies its pattern takes, over one shared subscription', async () => {
    const { subs, traffic, batch } = setup();
    const commands: string[] = [];
    const replies: string[] = [];
    const a = traffic.add('sb.cmd.>', (m) => void commands.push(m.subject));
    const b = traffic.add('_INBOX.>', (m) => void replies.push(m.subject));
    await Promise.all([a.ready, b.ready]);
    expect(subs.map((s) => s.subject)).toEqual(['sb.tap.>']);
    subs[0]!.handler(
      batch([
        {
          subject: 'sb.cmd.tools.call.t1',
          reply: '_INBOX.orchestrator.local.1',
          headers: [],
          body: {},
        },
        { subject: '_INBOX.orchestrator.local.1', headers: [], body: { response: 1 } },
      ]),
    );
    expect(commands).toEqual(['sb.cmd.tools.call.t1']);
    expect(replies).toEqual(['_INBOX.orchestrator.local.1']);
    a.remove();
    expect(subs[0]!.closed).toBe(false);
    b.remove();
    expect(subs[0]!.closed).toBe(true);
  });

  it('says it watches once subscribed (ready once the server has it), again every TAP_WATCH_EVERY_MS, and no more once unwatched', async () => {
    jest.useFakeTimers();
    try {
      const said: string[] = [];
      const traffic = new CopiedTraffic(
        (subject) => ({
          subject,
          ready: Promise.resolve(),
          refusal: undefined,
          unsubscribe: () => undefined,
        }),
        { refused: jest.fn(), failed: jest.fn() },
        {
          announce: () => void said.push('announce'),
          flush: async () => void said.push('flush'),
        },
      );
      const a = traffic.add('sb.cmd.>', () => undefined);
      const b = traffic.add('_INBOX.>', () => undefined);
      await Promise.all([a.ready, b.ready]);
      expect(said).toEqual(['announce', 'flush']); // one watcher, however many patterns
      jest.advanceTimersByTime(TAP_WATCH_EVERY_MS);
      expect(said).toEqual(['announce', 'flush', 'announce']);
      a.remove();
      b.remove();
      jest.advanceTimersByTime(3 * TAP_WATCH_EVERY_MS);
      expect(said).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a batch that is not one as invalid, and keeps serving the other listeners when one throws', () => {
    const { subs, traffic, batch, failed } = setup();
    const seen: string[] = [];
    traffic.add('sb.cmd.>', () => {
      throw new Error('listener broke');
    });
    traffic.add('sb.>', (m) => void seen.push(m.subject));
    expect(() => subs[0]!.handler({ ...batch([]), data: text('nope') })).toThrow(
      /copies: not JSON/,
    );
    subs[0]!.handler(batch([{ subject: 'sb.cmd.x', headers: [], body: {} }]));
    expect(seen).toEqual(['sb.cmd.x']);
    expect(failed).toHaveBeenCalledWith('sb.cmd.>', 'handler', expect.any(Error));
  });
});

describe('which subjects copies concern', () => {
  it('knows a tap subject, and which patterns can take a copied command or reply', () => {
    expect(isTapSubject('sb.tap.gateway')).toBe(true);
    expect(isTapSubject('sb.ctl.tap.watching')).toBe(true); // a watcher's announcement
    expect(isTapSubject('sb.ctl.task.t1.cancel')).toBe(false);
    expect(isTapSubject('sb.task.submit')).toBe(false);
    for (const p of [
      '>',
      'sb.>',
      'sb.cmd.>',
      'sb.cmd.tools.call.*',
      '_INBOX.>',
      'sb.*.tools.manifest',
    ])
      expect({ p, takes: mayTakeCopies(p) }).toEqual({ p, takes: true });
    for (const p of ['sb.evt.>', 'sb.task.>', 'sb.audit.>', 'sb.health.>'])
      expect({ p, takes: mayTakeCopies(p) }).toEqual({ p, takes: false });
  });
});
