import { jest } from '@jest/globals';
import { DomainError, type EventContract, Tasks, validationError } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import { batchesOf, FLUSH_PATIENCE_MS, TaskEventSequence } from './task-event.stream.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

/** A stream that validates like JetStreamService.publish and stores by msg id; it can be made to fail. */
function fakeStream() {
  const stored = new Map<string, Tasks.StoredTaskEvents>();
  const state = { attempts: 0, outage: 0 };
  const jetstream = {
    publish: async (
      contract: EventContract,
      _t: unknown,
      payload: unknown,
      o: { msgId: string },
    ) => {
      state.attempts++;
      const parsed = contract.payload.safeParse(payload);
      if (!parsed.success) throw validationError('payload', parsed.error);
      if (state.outage > 0) {
        state.outage--;
        throw new DomainError('UPSTREAM_UNAVAILABLE', 'no JetStream', { retryable: true });
      }
      if (!stored.has(o.msgId)) stored.set(o.msgId, parsed.data as Tasks.StoredTaskEvents);
      return { seq: stored.size, duplicate: false };
    },
  } as unknown as JetStreamService;
  const events = () => [...stored.values()].flatMap(Tasks.eventsOf).sort((a, b) => a.seq - b.seq);
  return { jetstream, state, events };
}

const tooLong = (): Tasks.PlanAction => ({
  id: 's1',
  kind: 'tool',
  target: 'a'.repeat(200),
  input: {},
  description: `call ${'a'.repeat(600)}`,
});

describe(TaskEventSequence.name, () => {
  it('stores what one turn of the event loop emitted as one message, named by its last event', async () => {
    const subjects: string[] = [];
    const batches: Tasks.TaskEventBatch[] = [];
    const jetstream = {
      publish: async (
        _c: unknown,
        tokens: string[],
        b: Tasks.TaskEventBatch,
        o: { msgId: string },
      ) => {
        subjects.push(`${tokens.join('.')} ${o.msgId}`);
        batches.push(Tasks.TaskEventBatch.parse(b));
        return { seq: batches.length, duplicate: false };
      },
    } as unknown as JetStreamService;
    const seq = new TaskEventSequence(TASK_ID, 0, 'orchestrator', jetstream);
    seq.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
    seq.emit('orchestrator.planning.completed', {
      planner: 'builtin',
      iteration: 1,
      plan: [],
      decision: 'fail',
    });
    await new Promise((resolve) => setImmediate(resolve)); // the turn ends: sent
    seq.emit('orchestrator.task.failed', {
      error: { code: 'VALIDATION', message: 'x', retryable: false },
      steps: 0,
      durationMs: 1,
    });
    await seq.flush();
    expect(batches.map((b) => b.events.map((e) => e.seq))).toEqual([[1, 2], [3]]);
    expect(subjects).toEqual([
      `${TASK_ID}.default.orchestrator.planning.completed ${TASK_ID}:1-2`,
      `${TASK_ID}.default.orchestrator.task.failed ${TASK_ID}:3-3`,
    ]);
  });

  it('stores a message over the server limit in halves, each once', async () => {
    const ids: string[] = [];
    const jetstream = {
      publish: async (_c: unknown, _t: unknown, b: Tasks.TaskEventBatch, o: { msgId: string }) => {
        if (b.events.length > 2) throw new DomainError('PAYLOAD_TOO_LARGE', 'too large');
        ids.push(o.msgId);
        return { seq: ids.length, duplicate: false };
      },
    } as unknown as JetStreamService;
    const seq = new TaskEventSequence(TASK_ID, 0, 'orchestrator', jetstream);
    for (let i = 1; i <= 5; i++)
      seq.emit('orchestrator.planning.started', { planner: 'builtin', iteration: i });
    await seq.flush();
    expect(ids).toEqual([`${TASK_ID}:1-2`, `${TASK_ID}:3-3`, `${TASK_ID}:4-5`]);
  });

  it('stores an event that broke its contract reduced, at its own seq, without retrying it', async () => {
    const { jetstream, state, events } = fakeStream();
    const warn = jest.fn();
    const seq = new TaskEventSequence(TASK_ID, 3, 'orchestrator', jetstream, { warn });
    seq.emit('orchestrator.planning.completed', {
      planner: 'builtin',
      iteration: 1,
      plan: [tooLong()],
      decision: 'actions',
    });
    seq.emit('orchestrator.task.failed', {
      error: { code: 'VALIDATION', message: 'x', retryable: false },
      steps: 0,
      durationMs: 1,
    });
    await seq.flush();
    expect(events().map((e) => [e.seq, e.name])).toEqual([
      [4, 'orchestrator.planning.completed'],
      [5, 'orchestrator.task.failed'],
    ]);
    const [completed] = events();
    const plan = completed?.name === 'orchestrator.planning.completed' ? completed.data.plan : [];
    expect(plan[0]?.target).toHaveLength(128);
    expect(plan[0]?.description).toHaveLength(Tasks.PLAN_DESCRIPTION_MAX);
    // Both events were emitted in one turn: one message. It was refused once and published reduced;
    // nothing was retried.
    expect(state.attempts).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('retries an event that could not be stored for transport reasons', async () => {
    jest.useFakeTimers();
    try {
      const { jetstream, state, events } = fakeStream();
      state.outage = 2;
      const seq = new TaskEventSequence(TASK_ID, 0, 'orchestrator', jetstream);
      seq.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
      const flushed = seq.flush();
      await jest.advanceTimersByTimeAsync(1_000);
      await flushed;
      expect(events().map((e) => e.seq)).toEqual([1]);
      expect(state.attempts).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives up after its retries when the stream stays unavailable', async () => {
    jest.useFakeTimers();
    try {
      const { jetstream, state } = fakeStream();
      state.outage = 100;
      const seq = new TaskEventSequence(TASK_ID, 0, 'orchestrator', jetstream);
      seq.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
      const flushed = seq.flush().catch((e: Error) => e);
      await jest.advanceTimersByTimeAsync(FLUSH_PATIENCE_MS + 5_000);
      expect(await flushed).toEqual(new Error(`could not store 1 event(s) of task ${TASK_ID}`));
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports every duration to 0.1 ms, whichever emitter measured it', async () => {
    const { jetstream, events } = fakeStream();
    const seq = new TaskEventSequence(TASK_ID, 0, 'orchestrator', jetstream);
    seq.emit('mcp.task.completed', {
      stepId: 's1',
      tool: 'calc',
      output: 1,
      durationMs: 5.588815000024624,
    });
    seq.emit('orchestrator.step.completed', {
      stepId: 's1',
      index: 0,
      kind: 'tool',
      target: 'calc',
      output: 1,
      durationMs: 6.04999,
    });
    seq.emit('orchestrator.task.completed', {
      result: '1',
      planner: 'builtin',
      steps: 1,
      durationMs: 41,
    });
    await seq.flush();
    expect(events().map((e) => (e.data as { durationMs: number }).durationMs)).toEqual([
      5.6, 6, 41,
    ]);
  });
});

describe(batchesOf.name, () => {
  const named = (...names: string[]) =>
    names.map((name, i) => ({ name, seq: i + 1 }) as unknown as Tasks.TaskEvent);
  const shape = (batches: Tasks.TaskEvent[][]) => batches.map((b) => b.map((e) => e.seq));

  it('ends a message after each run of approval requests, so its subject names the request', () => {
    const events = named(
      'orchestrator.planning.completed',
      'orchestrator.approval.requested',
      'orchestrator.approval.requested',
      'orchestrator.step.dispatching',
      'orchestrator.approval.requested',
    );
    expect(shape(batchesOf(events))).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(batchesOf(events).map((b) => b.at(-1)?.name)).toEqual([
      'orchestrator.approval.requested',
      'orchestrator.approval.requested',
    ]);
  });

  it('keeps other events of one turn in one message, up to the per-message maximum', () => {
    const max = Tasks.MAX_EVENTS_PER_MESSAGE;
    const many = named(...Array.from({ length: max + 3 }, () => 'orchestrator.step.completed'));
    expect(batchesOf(many).map((b) => b.length)).toEqual([max, 3]);
    expect(shape(batchesOf(named('orchestrator.task.started')))).toEqual([[1]]);
  });
});
