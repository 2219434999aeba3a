import { describe, expect, it } from '@jest/globals';
import type { BusMessage, BusSubscription, StoredMessage } from '@switchboard/messaging';
import type { TailCommand } from './args.js';
import { tail, type TailSource } from './tail.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const OTHER = '0b9a8c7d-1111-4222-8333-444455556666';
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

const message = (subject: string, data: unknown, reply?: string): BusMessage => ({
  subject,
  data: encode(data),
  reply,
  headers: undefined,
  header: () => undefined,
  respond: () => false,
});

const event = (task: string, seq: number, name: string) => {
  const subject = `sb.evt.task.${task}.${name}`;
  const at = `2026-05-01T10:00:0${seq}.000Z`;
  return message(subject, {
    pattern: subject,
    data: { taskId: task, seq, at, source: 'orchestrator', name, data: {} },
  });
};

/**
 * A TrafficTap as the tail uses it: subscriptions whose handlers a test calls as the library would,
 * stored messages per stream, and a hook that runs while the stored ones are read (live traffic then).
 */
function fakeSource(opts: {
  stored?: Record<string, BusMessage[]>;
  refused?: string[];
  duringReplay?: () => void;
}) {
  const handlers = new Map<string, (m: BusMessage) => void | Promise<void>>();
  const source: TailSource = {
    subscribeRaw: (subject, handler) => {
      handlers.set(subject, handler);
      const ready = opts.refused?.includes(subject)
        ? Promise.reject(new Error(`NATS refused the subscription to ${subject}`))
        : Promise.resolve();
      ready.catch(() => undefined);
      return {
        subject,
        ready,
        refusal: undefined,
        unsubscribe: () => undefined,
      } as BusSubscription;
    },
    async *storedMessages(stream: string): AsyncGenerator<StoredMessage> {
      opts.duringReplay?.();
      let seq = 0;
      for (const m of opts.stored?.[stream] ?? [])
        yield { ...m, seq: ++seq, time: new Date('2026-05-01T09:00:00Z') };
    },
    flush: () => Promise.resolve(),
  };
  return { source, deliver: (on: string, m: BusMessage) => void handlers.get(on)?.(m) };
}

const command = (over: Partial<TailCommand>): TailCommand => ({
  name: 'tail',
  replies: false,
  json: false,
  connection: {},
  ...over,
});

function output() {
  const lines: string[] = [];
  const info: string[] = [];
  return {
    lines,
    info,
    out: { line: (t: string) => lines.push(t), info: (t: string) => info.push(t) },
  };
}

describe(tail.name, () => {
  it("with --tenant, reads only the tenant's task events and audit records, the subjects its operator may read", async () => {
    const fake = fakeSource({});
    const { lines, info, out } = output();
    await tail(fake.source, command({ tenant: 'acme' }), out, 'nats://x');
    expect(info.at(-1)).toMatch(/tailing tenant acme/);
    fake.deliver(
      'sb.evt.task.*.acme.>',
      message(`sb.evt.task.${TASK}.acme.orchestrator.task.started`, {
        taskId: TASK,
        events: [
          {
            taskId: TASK,
            seq: 1,
            at: '2026-05-01T10:00:01.000Z',
            source: 'orchestrator',
            name: 'orchestrator.task.started',
            data: {},
          },
        ],
      }),
    );
    // nothing else was subscribed to: the platform's `sb.>` has no handler
    fake.deliver('sb.>', event(OTHER, 1, 'orchestrator.task.started'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('orchestrator.task.started');
  });

  it('with --tenant, says so when nats-server refuses the tenant operator a subject', async () => {
    const fake = fakeSource({ refused: ['sb.audit.*.*.acme'] });
    await expect(
      tail(fake.source, command({ tenant: 'acme' }), output().out, 'nats://x'),
    ).rejects.toThrow(/cannot tail without sb.audit.\*.\*.acme/);
  });

  it('follows one task from its start: stored events, then live ones in seq order once, its requests and their replies', async () => {
    let live: (() => void) | undefined;
    const fake = fakeSource({
      stored: {
        SB_TASK_EVENTS: [
          event(TASK, 1, 'orchestrator.task.started'),
          event(TASK, 2, 'mcp.toolbox.generated'),
        ],
      },
      // arriving while the stored ones are read: held, then shown after them, each seq once
      duringReplay: () => live?.(),
    });
    live = () => {
      live = undefined;
      fake.deliver('sb.>', event(TASK, 2, 'mcp.toolbox.generated'));
      fake.deliver('sb.>', event(TASK, 3, 'orchestrator.planning.started'));
      fake.deliver('sb.>', event(OTHER, 1, 'orchestrator.task.started'));
    };
    const { lines, info, out } = output();
    await tail(fake.source, command({ task: TASK, replies: true }), out, 'nats://x');
    fake.deliver(
      'sb.>',
      message(
        `sb.cmd.tools.call.${TASK}`,
        {
          pattern: 'sb.cmd.tools.call',
          data: { tool: 'calculator', input: { expression: '1+1' } },
        },
        '_INBOX.orchestrator.a.1',
      ),
    );
    fake.deliver(
      '_INBOX.>',
      message('_INBOX.orchestrator.a.1', {
        response: { tool: 'calculator', output: 2, durationMs: 1, replayed: false },
      }),
    );
    // a reply to a request of another task
    fake.deliver('_INBOX.>', message('_INBOX.gateway.b.1', { response: { ok: true } }));

    // without the time column, spaces collapsed
    expect(lines.map((l) => l.slice(14).replace(/ +/g, ' '))).toEqual([
      '7f3a2c1e event orchestrator orchestrator.task.started (stored)',
      '7f3a2c1e event orchestrator mcp.toolbox.generated (stored)',
      '7f3a2c1e event orchestrator orchestrator.planning.started',
      '7f3a2c1e command ? → mcp-tools tools.call calculator expression="1+1"',
      '7f3a2c1e reply mcp-tools → orchestrator calculator → 2 (1 ms)',
    ]);
    expect(info.at(-1)).toMatch(new RegExp(`^tailing task ${TASK}: .* on nats://x`));
  });

  it("attached late, shows the task's relayed audit records (SB_AUDIT_CHAINED) with the others, each once", async () => {
    const record = (id: string, action: string, subject: string) =>
      message(subject, {
        pattern: subject,
        data: {
          id,
          at: '2026-05-01T10:00:05.000Z',
          category: action.split('.')[0],
          action,
          outcome: 'success',
          source: 'orchestrator',
          actor: {},
          taskId: TASK,
          details: {},
        },
      });
    const end = record(
      '11111111-2222-4333-8444-555555555555',
      'task.completed',
      `sb.evt.audit.task.${TASK}.default`,
    );
    let live: (() => void) | undefined;
    const fake = fakeSource({
      stored: {
        SB_AUDIT: [
          record(
            '66666666-2222-4333-8444-555555555555',
            'tool.call',
            `sb.audit.tool.${TASK}.default`,
          ),
        ],
        SB_AUDIT_CHAINED: [end],
      },
      // announced again live while the stored ones are read: shown once
      duringReplay: () => live?.(),
    });
    live = () => {
      live = undefined;
      fake.deliver('sb.>', end);
    };
    const { lines, out } = output();
    await tail(fake.source, command({ task: TASK, json: true }), out, 'nats://x');
    const shown = lines.map((l) => JSON.parse(l) as { subject: string; kind: string });
    // read back from the streams (not only seen live), the live copy recognised by its id
    expect(shown.map((l) => [l.kind, l.subject])).toEqual([
      ['stored', `sb.audit.tool.${TASK}.default`],
      ['stored', `sb.evt.audit.task.${TASK}.default`],
    ]);
  });

  it("with --tenant, shows the tenant's relayed audit records as they are chained", async () => {
    const fake = fakeSource({});
    const { lines, out } = output();
    await tail(fake.source, command({ tenant: 'acme' }), out, 'nats://x');
    const subject = `sb.evt.audit.task.${TASK}.acme`;
    fake.deliver(
      'sb.evt.audit.*.*.acme',
      message(subject, {
        pattern: subject,
        data: { id: 'r1', action: 'task.completed', category: 'task', taskId: TASK },
      }),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('task.completed');
  });

  it('prints the JSON lines unchanged with --json', async () => {
    const fake = fakeSource({});
    const { lines, out } = output();
    await tail(fake.source, command({ json: true }), out, 'nats://x');
    fake.deliver('sb.>', event(TASK, 1, 'orchestrator.task.started'));
    expect(JSON.parse(lines[0]!)).toMatchObject({
      kind: 'publish',
      subject: `sb.evt.task.${TASK}.orchestrator.task.started`,
      time: '2026-05-01T10:00:01.000Z',
      data: { name: 'orchestrator.task.started', seq: 1 },
    });
  });

  it('prints each event of a stored batch on its own line, at its own time', async () => {
    const fake = fakeSource({});
    const { lines, out } = output();
    await tail(fake.source, command({ json: true }), out, 'nats://x');
    const at = (s: number) => `2026-05-01T10:00:0${s}.000Z`;
    const one = (seq: number, name: string) => ({
      taskId: TASK,
      seq,
      at: at(seq),
      source: 'orchestrator',
      name,
      data: {},
    });
    const subject = `sb.evt.task.${TASK}.orchestrator.planning.started`;
    fake.deliver(
      'sb.>',
      message(subject, {
        pattern: subject,
        data: {
          taskId: TASK,
          events: [one(2, 'mcp.toolbox.generated'), one(3, 'orchestrator.planning.started')],
        },
      }),
    );
    expect(lines.map((l) => JSON.parse(l) as { time: string; data: { seq: number } })).toEqual([
      expect.objectContaining({ time: at(2), data: expect.objectContaining({ seq: 2 }) }),
      expect.objectContaining({ time: at(3), data: expect.objectContaining({ seq: 3 }) }),
    ]);
  });

  it('stops, saying why, when the server refuses it the platform’s subjects', async () => {
    const fake = fakeSource({ refused: ['sb.>'] });
    await expect(tail(fake.source, command({}), output().out, 'nats://x')).rejects.toThrow(
      /cannot tail without sb\.>: this NATS identity may not read it/,
    );
  });
});
