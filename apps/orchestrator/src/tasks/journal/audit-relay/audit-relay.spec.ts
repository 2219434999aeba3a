import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Audit } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { type Logger, requestContext } from '@switchboard/observability';
import type { AuditOutboxRepository } from './audit-outbox.repository.js';
import { AuditRelay } from './audit-relay.js';

const record = (n: number): Audit.AuditRecordInput => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  at: '2026-11-26T10:00:00.000Z',
  category: 'task',
  action: 'task.completed',
  outcome: 'success',
  source: 'orchestrator',
  details: {},
});

function setup(
  opts: {
    fail?: boolean;
    batch?: number;
    owed?: { id: string; payload: Audit.AuditRecordInput }[] | Error;
  } = {},
) {
  const requests: {
    ids: string[];
    context: unknown;
    traces?: Record<string, string>;
  }[] = [];
  const marked: string[][] = [];
  const warnings: string[] = [];
  const bus = {
    request: async (
      _c: unknown,
      req: { records: Audit.AuditRecordInput[]; traces?: Record<string, string> },
    ) => {
      requests.push({
        ids: req.records.map((r) => r.id as string),
        context: requestContext.get(),
        ...(req.traces ? { traces: req.traces } : {}),
      });
      if (opts.fail) throw new Error('no responders');
      return { appended: req.records.length };
    },
  } as unknown as NatsBus;
  const outbox = {
    markRelayed: async (ids: readonly string[]) => void marked.push([...ids]),
    owedOf: async () => {
      if (opts.owed instanceof Error) throw opts.owed;
      return opts.owed ?? [];
    },
  } as unknown as AuditOutboxRepository;
  const relay = new AuditRelay(
    bus,
    outbox,
    {
      AUDIT_RELAY_LINGER_MS: 20,
      AUDIT_RELAY_HOLD_MS: 500,
      AUDIT_RELAY_BATCH: opts.batch ?? 200,
      AUDIT_RELAY_MARK_LINGER_MS: 1_000,
      AUDIT_RELAY_SWEEP_MS: 5_000,
      AUDIT_RELAY_SWEEP_AFTER_MS: 15_000,
      AUDIT_RELAY_KEEP_MS: 3_600_000,
    },
    { warn: (_o: unknown, msg: string) => void warnings.push(msg) } as unknown as Logger,
  );
  return { relay, requests, marked, warnings };
}

describe(AuditRelay.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends the records of the commits of one linger in one request, outside any task, and marks their rows together later', async () => {
    const { relay, requests, marked } = setup();
    requestContext.run({ correlationId: 'task-1' }, () => relay.committed(['1'], [record(1)]));
    requestContext.run({ correlationId: 'task-2' }, () =>
      relay.committed(['2', '3'], [record(2), record(3)]),
    );
    expect(requests).toEqual([]);
    await jest.advanceTimersByTimeAsync(20);
    expect(requests).toEqual([
      { ids: [record(1).id, record(2).id, record(3).id], context: undefined },
    ]);
    expect(marked).toEqual([]);
    relay.committed(['4'], [record(4)]);
    await jest.advanceTimersByTimeAsync(20);
    expect(requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(marked).toEqual([['1', '2', '3', '4']]);
  });

  it("holds a task's records before its end for AUDIT_RELAY_HOLD_MS, and sends them with the end's when it commits", async () => {
    const { relay, requests } = setup();
    relay.committed(['1'], [record(1)], false);
    await jest.advanceTimersByTimeAsync(100);
    expect(requests).toEqual([]);
    relay.committed(['2'], [record(2)], true);
    await jest.advanceTimersByTimeAsync(20);
    expect(requests.map((r) => r.ids)).toEqual([[record(1).id, record(2).id]]);
    // a task that does not end within the hold: its records go when the hold is up
    relay.committed(['3'], [record(3)], false);
    await jest.advanceTimersByTimeAsync(499);
    expect(requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(requests.map((r) => r.ids)).toEqual([[record(1).id, record(2).id], [record(3).id]]);
  });

  it("adopts the records a resumed task's earlier run still owes: they go with its end's, not after the sweep's wait", async () => {
    // a dead replica committed the submission's and a tool call's records and held them for the end
    const owed = [
      { id: '7', payload: record(7) },
      { id: '8', payload: record(8) },
    ];
    const { relay, requests, marked } = setup({ owed });
    relay.committed(['8'], [record(8)], false);
    await relay.adopt('task-1');
    await jest.advanceTimersByTimeAsync(100);
    expect(requests).toEqual([]);
    relay.committed(['9'], [record(9)], true);
    await jest.advanceTimersByTimeAsync(20);
    // each once, though this replica had one of them queued already
    expect(requests.map((r) => r.ids)).toEqual([[record(8).id, record(7).id, record(9).id]]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(marked).toEqual([['8', '7', '9']]);
  });

  it('leaves them to the sweep when they cannot be read', async () => {
    const { relay, requests, warnings } = setup({ owed: new Error('database down') });
    await relay.adopt('task-1');
    await jest.advanceTimersByTimeAsync(2_000);
    expect(requests).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/sweep/)]);
  });

  it('sends at once when a batch is full, never more than AUDIT_RELAY_BATCH records a request', async () => {
    const { relay, requests } = setup({ batch: 2 });
    relay.committed(['1'], [record(1)]);
    relay.committed(['2', '3', '4'], [record(2), record(3), record(4)]);
    await jest.advanceTimersByTimeAsync(0);
    expect(requests.map((r) => r.ids.length)).toEqual([2, 2]);
  });

  it('marks nothing it could not send: the rows stay owed for the sweep', async () => {
    const { relay, requests, marked, warnings } = setup({ fail: true });
    relay.committed(['1'], [record(1)]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(requests).toHaveLength(1);
    expect(marked).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/sweep/)]);
    await relay.onModuleDestroy();
    expect(marked).toEqual([]);
  });

  it("continues each task's trace: one task's batch is sent in its trace, several tasks' batch names each task's trace", async () => {
    const TASK_A = '00000000-0000-4000-8000-00000000000a';
    const TASK_B = '00000000-0000-4000-8000-00000000000b';
    const inTrace = (t: string) => `00-${t.repeat(32)}-${'1'.repeat(16)}-01`;
    const { relay, requests } = setup();
    relay.committed(['1'], [{ ...record(1), taskId: TASK_A }], true, inTrace('a'));
    await jest.advanceTimersByTimeAsync(20);
    expect(requests).toEqual([
      {
        ids: [record(1).id],
        context: undefined,
        traces: { [TASK_A]: inTrace('a') },
      },
    ]);
    relay.committed(['2'], [{ ...record(2), taskId: TASK_A }], true, inTrace('a'));
    relay.committed(['3'], [{ ...record(3), taskId: TASK_B }], true, inTrace('b'));
    relay.committed(['4'], [{ ...record(4), taskId: TASK_B }], true);
    await jest.advanceTimersByTimeAsync(20);
    // several tasks' records: sent outside any one task's trace, naming each task's
    expect(requests[1]).toEqual({
      ids: [record(2).id, record(3).id, record(4).id],
      context: undefined,
      traces: { [TASK_A]: inTrace('a'), [TASK_B]: inTrace('b') },
    });
  });
});
