import { jest } from '@jest/globals';
import { DomainError, type EventContract, Tasks, validationError } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import { FLUSH_PATIENCE_MS, TaskEventSequence } from './task-event.stream.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

/** A stream that validates like JetStreamService.publish and stores by msg id; it can be made to fail. */
function fakeStream() {
  const stored = new Map<string, Tasks.TaskEvent>();
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
      if (!stored.has(o.msgId)) stored.set(o.msgId, parsed.data as Tasks.TaskEvent);
      return { seq: stored.size, duplicate: false };
    },
  } as unknown as JetStreamService;
  const events = () => [...stored.values()].sort((a, b) => a.seq - b.seq);
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
    // One refused attempt, one reduced publish, one for the terminal event: nothing retried.
    expect(state.attempts).toBe(3);
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
});
