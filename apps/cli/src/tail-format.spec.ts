import { describe, expect, it } from '@jest/globals';
import {
  deliveryOf,
  formatLine,
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

  it('prints a pretty line with its own time, its kind, and where a delivery went', () => {
    expect(formatLine(toLine(published, 'publish', RECEIVED))).toBe(
      ` 10:00:01.250 publish sb.audit.tool.${TASK} mcp-tools → ada ${JSON.stringify(record)}`,
    );
    expect(formatLine(toLine(delivered, 'deliver', RECEIVED))).toMatch(
      new RegExp(
        `^ 10:00:01\\.250 deliver sb\\.audit\\.tool\\.${TASK} \\[SB_AUDIT → audit #2\\] mcp-tools`,
      ),
    );
    const long = toLine(
      { subject: 'sb.x', data: encode({ t: 'y'.repeat(500) }) },
      'reply',
      RECEIVED,
    );
    const text = formatLine(long);
    expect(text.startsWith('~10:00:05.000 reply   sb.x ? ')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
  });

  it('unwraps Nest’s envelopes and keeps what is not JSON as text', () => {
    expect(payloadOf(encode({ pattern: 'p', data: { a: 1 } }))).toEqual({ a: 1 });
    expect(payloadOf(encode({ response: { ok: true }, isDisposed: true }))).toEqual({ ok: true });
    expect(payloadOf(encode({ err: { code: 'X' } }))).toEqual({ code: 'X' });
    expect(payloadOf(new TextEncoder().encode('plain'))).toBe('plain');
    expect(payloadOf(encode(42))).toBe(42);
  });
});
