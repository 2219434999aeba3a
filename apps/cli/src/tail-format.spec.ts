import { describe, expect, it } from '@jest/globals';
import {
  ansi,
  colourWanted,
  deliveryOf,
  formatLine,
  type Kind,
  kindOf,
  ownTimeOf,
  payloadOf,
  type Seen,
  toLine,
} from './tail-format.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const headers = (h: Record<string, string>) => ({
  keys: () => Object.keys(h),
  get: (k: string) => h[k] ?? '',
});
const RECEIVED = new Date('2026-05-01T10:00:05.000Z');
const record = {
  id: '1b7c8f2e-0000-4000-8000-000000000001',
  at: '2026-05-01T10:00:01.250Z',
  category: 'tool',
  action: 'tool.call',
  taskId: TASK,
};
// what the audit service's pull consumer receives: the stored subject, acked on $JS.ACK…
const ACK = `$JS.ACK.SB_AUDIT.audit.2.41.17.${BigInt(Date.parse('2026-05-01T10:00:01.300Z')) * 1_000_000n}.0`;
const published: Seen = {
  subject: `sb.audit.tool.${TASK}`,
  reply: '_INBOX.mcp-tools.abc.1',
  headers: headers({ 'x-sb-source': 'mcp-tools', 'x-sb-user-id': 'ada' }),
  data: encode({ pattern: `sb.audit.tool.${TASK}`, data: record }),
};
const delivered: Seen = { ...published, reply: ACK };

describe('tail lines', () => {
  it('tells a publish from a JetStream delivery and a reply', () => {
    expect(kindOf(published, 'subjects')).toBe('publish');
    // a delivery reaches the operator through the consumer's inbox, under its stored subject
    expect(kindOf(delivered, 'inboxes')).toBe('deliver');
    expect(kindOf(delivered, 'subjects')).toBe('deliver');
    expect(kindOf({ subject: '_INBOX.orchestrator.x.1', data: encode({}) }, 'inboxes')).toBe(
      'reply',
    );
  });

  it('reads where a delivery came from, in both forms of the ack subject', () => {
    expect(deliveryOf(ACK)).toEqual({
      stream: 'SB_AUDIT',
      consumer: 'audit',
      attempt: 2,
      streamSeq: 41,
      storedAt: '2026-05-01T10:00:01.300Z',
    });
    const v2 = `$JS.ACK.hub.ACCHASH.SB_TASKS.orchestrator.1.7.7.1777629601300000000.0.rnd`;
    expect(deliveryOf(v2)).toMatchObject({
      stream: 'SB_TASKS',
      consumer: 'orchestrator',
      streamSeq: 7,
    });
    expect(deliveryOf('_INBOX.a.b')).toBeUndefined();
    expect(deliveryOf('$JS.ACK.short')).toBeUndefined();
    expect(deliveryOf(undefined)).toBeUndefined();
  });

  it('dates a message by its own time: the payload’s at, else when it was stored, else received', () => {
    expect(ownTimeOf(record)).toBe('2026-05-01T10:00:01.250Z');
    expect(ownTimeOf({ submittedAt: '2026-05-01T09:59:59Z' })).toBe('2026-05-01T09:59:59.000Z');
    expect(ownTimeOf({ at: 'yesterday' })).toBeUndefined();
    expect(toLine(published, 'publish', RECEIVED)).toMatchObject({
      time: record.at,
      timeOf: 'message',
      received: RECEIVED.toISOString(),
    });
    // a replayed event without `at`: the time the stream stored it
    const stored = toLine(
      { subject: 'sb.evt.task.x.y', data: encode({ seq: 1 }) },
      'stored',
      RECEIVED,
      undefined,
      new Date('2026-05-01T08:00:00Z'),
    );
    expect(stored).toMatchObject({ time: '2026-05-01T08:00:00.000Z', timeOf: 'stream' });
    const bare = toLine({ subject: 'sb.evt.tools.changed', data: encode({}) }, 'publish', RECEIVED);
    expect(bare).toMatchObject({ time: RECEIVED.toISOString(), timeOf: 'received' });
  });

  it('prints a JSON line with the kind, the delivery, the headers and the unwrapped payload', () => {
    const line = toLine(delivered, 'deliver', RECEIVED);
    expect(JSON.parse(JSON.stringify(line))).toEqual({
      time: record.at,
      timeOf: 'message',
      received: RECEIVED.toISOString(),
      kind: 'deliver',
      subject: `sb.audit.tool.${TASK}`,
      reply: ACK,
      delivery: {
        stream: 'SB_AUDIT',
        consumer: 'audit',
        attempt: 2,
        streamSeq: 41,
        storedAt: '2026-05-01T10:00:01.300Z',
      },
      headers: { 'x-sb-source': 'mcp-tools', 'x-sb-user-id': 'ada' },
      data: record,
    });
  });

  it('unwraps Nest’s envelopes and keeps what is not JSON as text', () => {
    expect(payloadOf(encode({ pattern: 'p', data: { a: 1 } }))).toEqual({ a: 1 });
    expect(payloadOf(encode({ response: { ok: true }, isDisposed: true }))).toEqual({ ok: true });
    expect(payloadOf(encode({ err: { code: 'X' } }))).toEqual({ code: 'X' });
    expect(payloadOf(new TextEncoder().encode('plain'))).toBe('plain');
    expect(payloadOf(encode(42))).toBe(42);
  });
});

// One fixture of each kind of message the platform sends, as the tail receives it.
const source = (service: string) => headers({ 'x-sb-source': service, 'x-sb-user-id': 'ada' });
const event = (name: string, seq: number, data: unknown): Seen => {
  const subject = `sb.evt.task.${TASK}.${name}`;
  const at = `2026-05-01T10:00:0${seq}.250Z`;
  return {
    subject,
    headers: source('orchestrator'),
    data: encode({
      pattern: subject,
      data: { taskId: TASK, seq, at, source: 'orchestrator', name, data },
    }),
  };
};
const lineOf = (m: Seen, kind: Kind = 'publish', reply?: { responder?: string; taskId?: string }) =>
  formatLine(toLine(m, kind, RECEIVED), reply ? { reply } : {});

describe('compact tail lines', () => {
  it('says a task event by its name and key fields: time, short task id, kind, source, summary', () => {
    expect(
      lineOf(
        event('orchestrator.step.completed', 3, {
          stepId: 's1',
          index: 0,
          kind: 'tool',
          target: 'calculator',
          output: { expression: '17 * 23', result: 391 },
          durationMs: 12.34,
        }),
      ),
    ).toBe(
      ' 10:00:03.250 7f3a2c1e event   orchestrator             orchestrator.step.completed calculator → 391 (12.3 ms)',
    );
    expect(
      lineOf(
        event('orchestrator.task.started', 1, {
          task: 'what is 17 * 23, then save the result as a note',
          userId: 'ada',
          planner: 'builtin',
        }),
      ),
    ).toMatch(
      /event {3}orchestrator {13}orchestrator\.task\.started builtin "what is 17 \* 23, then save the result as a note"$/,
    );
    expect(
      lineOf(
        event('orchestrator.planning.completed', 2, {
          planner: 'builtin',
          iteration: 1,
          plan: [
            { id: 'a', kind: 'tool', target: 'calculator', input: {}, description: '' },
            { id: 'b', kind: 'tool', target: 'notes.add', input: {}, description: '' },
          ],
          decision: 'actions',
          durationMs: 1500,
        }),
      ),
    ).toMatch(
      /orchestrator\.planning\.completed round 1 → 2 actions: calculator, notes\.add \(1\.5 s\)$/,
    );
    expect(
      lineOf(
        event('orchestrator.task.failed', 4, {
          error: { code: 'TIMEOUT', message: 'the task ran out of time', retryable: false },
          steps: 2,
          durationMs: 30000,
        }),
      ),
    ).toMatch(/orchestrator\.task\.failed TIMEOUT: the task ran out of time, 2 steps \(30 s\)$/);
    expect(
      lineOf(
        event('a2a.delegation.started', 5, {
          stepId: 's2',
          agent: 'researcher',
          message: 'tell me about NATS JetStream',
          transport: 'xmpp',
        }),
      ),
    ).toMatch(/a2a\.delegation\.started researcher over xmpp "tell me about NATS JetStream"$/);
    expect(
      lineOf(
        event('orchestrator.approval.requested', 6, {
          approvalId: '0b0f6c3e-0c4b-4f55-9a43-2a9a0c1f2b3d',
          stepId: 's2',
          kind: 'tool',
          target: 'notes.add',
          input: { content: '391' },
          argsHash: 'ab'.repeat(32),
          reason: 'save the result',
          expiresAt: '2026-11-25T10:00:00.000Z',
        }),
      ),
    ).toMatch(/orchestrator\.approval\.requested approval 0b0f6c3e: notes\.add content="391"$/);
    expect(
      lineOf(
        event('orchestrator.approval.decided', 7, {
          approvalId: '0b0f6c3e-0c4b-4f55-9a43-2a9a0c1f2b3d',
          stepId: 's2',
          target: 'notes.add',
          status: 'rejected',
          decidedBy: 'bob',
          edited: false,
          comment: 'not today',
        }),
      ),
    ).toMatch(/orchestrator\.approval\.decided notes\.add rejected by bob "not today"$/);
  });

  it('says a tool call by the tool and its arguments, from whom to whom, and its reply by the result', () => {
    const request: Seen = {
      subject: `sb.cmd.tools.call.${TASK}`,
      reply: '_INBOX.orchestrator.Qx7.1',
      headers: source('orchestrator'),
      data: encode({
        pattern: 'sb.cmd.tools.call',
        data: { tool: 'calculator', input: { expression: '17 * 23' }, taskId: TASK, stepId: 's1' },
        id: 'r1',
      }),
    };
    expect(lineOf(request)).toBe(
      '~10:00:05.000 7f3a2c1e command orchestrator → mcp-tools tools.call calculator expression="17 * 23"',
    );
    // the receive time only (`~`); who answered and for which task, from the request the tail saw
    const answer: Seen = {
      subject: '_INBOX.orchestrator.Qx7.1',
      data: encode({
        id: 'r1',
        response: { tool: 'calculator', output: { result: 391 }, durationMs: 0.8, replayed: false },
        isDisposed: true,
      }),
    };
    expect(lineOf(answer, 'reply', { responder: 'mcp-tools', taskId: TASK })).toBe(
      '~10:00:05.000 7f3a2c1e reply   mcp-tools → orchestrator calculator → 391 (0.8 ms)',
    );
    const refused: Seen = {
      subject: '_INBOX.gateway.Ab.2',
      data: encode({ err: { code: 'FORBIDDEN', message: 'admins only', retryable: false } }),
    };
    expect(lineOf(refused, 'reply')).toBe(
      '~10:00:05.000 -        reply   ? → gateway              ✗ FORBIDDEN admins only',
    );
  });

  it('says an audit record by its action and outcome; a delivery by its stream and consumer; a replayed one as stored', () => {
    expect(lineOf(published)).toBe(
      ' 10:00:01.250 7f3a2c1e audit   mcp-tools                tool.call',
    );
    const full: Seen = {
      ...published,
      data: encode({ ...record, outcome: 'denied', resource: 'notes.add', source: 'mcp-tools' }),
    };
    expect(lineOf(full)).toBe(
      ' 10:00:01.250 7f3a2c1e audit   mcp-tools                tool.call denied notes.add',
    );
    expect(lineOf(delivered, 'deliver')).toBe(
      ' 10:00:01.250 7f3a2c1e deliver SB_AUDIT → audit #2      tool.call',
    );
    const submitted: Seen = {
      ...published,
      subject: `sb.audit.request.${TASK}`,
      data: encode({ ...record, action: 'task.submit', outcome: 'success', resource: TASK }),
    };
    expect(lineOf(submitted)).toMatch(/ 7f3a2c1e audit {3}mcp-tools {16}task\.submit success$/);
    expect(lineOf(full, 'stored')).toMatch(
      / audit {3}mcp-tools {16}tool\.call denied notes\.add \(stored\)$/,
    );
    // a relayed record, announced once chained by the audit service: still shown as mcp-tools' own
    const chained: Seen = {
      subject: `sb.evt.audit.tool.${TASK}.default`,
      headers: source('audit'),
      data: encode({ ...record, outcome: 'success', resource: 'calculator', source: 'mcp-tools' }),
    };
    expect(lineOf(chained, 'stored')).toBe(
      ' 10:00:01.250 7f3a2c1e audit   mcp-tools                tool.call success calculator (stored)',
    );
  });

  it('says a submission, a cancellation, a health request, a dead letter and anything else in one line', () => {
    const submission: Seen = {
      subject: 'sb.task.submit',
      headers: source('gateway'),
      data: encode({
        taskId: TASK,
        actor: { userId: 'ada', role: 'user' },
        request: { task: 'what is 17 * 23' },
        submittedAt: '2026-05-01T09:59:59.000Z',
      }),
    };
    expect(lineOf(submission)).toBe(
      ' 09:59:59.000 7f3a2c1e submit  gateway                  task.submit "what is 17 * 23" by ada',
    );
    const cancel: Seen = {
      subject: `sb.ctl.task.${TASK}.cancel`,
      headers: source('gateway'),
      data: encode({ taskId: TASK, reason: 'user asked' }),
    };
    expect(lineOf(cancel)).toBe(
      '~10:00:05.000 7f3a2c1e control gateway                  task.cancel reason="user asked"',
    );
    const health: Seen = {
      subject: 'sb.health.audit',
      reply: '_INBOX.admin.x.1',
      headers: source('admin'),
      data: encode({ pattern: 'sb.health.audit', data: {}, id: '1' }),
    };
    expect(lineOf(health)).toBe('~10:00:05.000 -        health  admin → audit            health');
    const dead: Seen = {
      subject: 'sb.dlq.SB_AUDIT',
      headers: source('audit'),
      data: encode({
        stream: 'SB_AUDIT',
        consumer: 'audit',
        subject: 'sb.audit.tool._',
        reason: 'invalid payload',
        payload: '{}',
        at: '2026-05-01T10:00:02.000Z',
      }),
    };
    expect(lineOf(dead)).toBe(
      ' 10:00:02.000 -        dlq     audit                    dead letter sb.audit.tool._ from SB_AUDIT/audit: invalid payload',
    );
    expect(lineOf({ subject: 'sb.evt.tools.changed', data: encode({ reason: 'reload' }) })).toBe(
      '~10:00:05.000 -        event                            tools.changed reason="reload"',
    );
    expect(lineOf({ subject: 'sb.x', data: new TextEncoder().encode('plain') })).toBe(
      '~10:00:05.000 -        other                            x "plain"',
    );
  });

  it('keeps lines short: long payloads cut, to the terminal’s width when it is known', () => {
    const long = event('orchestrator.step.completed', 3, {
      stepId: 's1',
      index: 0,
      kind: 'tool',
      target: 'notes.add',
      output: { id: TASK, title: 'x'.repeat(300), content: 'y'.repeat(300) },
      durationMs: 3,
    });
    const line = lineOf(long);
    expect(line.length).toBeLessThanOrEqual(160);
    expect(line).toContain('…');
    // the task id once, shortened, and any other id too; never the raw JSON
    expect(line).not.toContain(`"taskId"`);
    expect(line).not.toContain(TASK);
    expect(line).toContain('id="7f3a2c1e…"');
    const narrow = formatLine(toLine(long, 'publish', RECEIVED), { width: 80 });
    expect(narrow.length).toBe(80);
    expect(narrow.endsWith('…')).toBe(true);
  });

  it('colours only when asked: the kind, route and summary, never the JSON', () => {
    const plain = lineOf(published);
    expect(plain).not.toContain('\x1b[');
    const coloured = formatLine(toLine(published, 'publish', RECEIVED), { colour: ansi });
    expect(coloured).toContain('\x1b[33maudit  \x1b[0m');
    expect(coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g'), '')).toBe(plain);
  });

  it('colours on a terminal only, unless NO_COLOR, a dumb terminal or --color / --no-color say otherwise', () => {
    expect(colourWanted({ flag: undefined, isTTY: true, env: {} })).toBe(true);
    expect(colourWanted({ flag: undefined, isTTY: false, env: {} })).toBe(false);
    expect(colourWanted({ flag: undefined, isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count
    expect(colourWanted({ flag: undefined, isTTY: true, env: { NO_COLOR: '' } })).toBe(true);
    expect(colourWanted({ flag: undefined, isTTY: true, env: { TERM: 'dumb' } })).toBe(false);
    expect(colourWanted({ flag: true, isTTY: false, env: { NO_COLOR: '1' } })).toBe(true);
    expect(colourWanted({ flag: false, isTTY: true, env: {} })).toBe(false);
  });
});
