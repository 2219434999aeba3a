import { jest } from '@jest/globals';
import { DomainError, Tasks } from '@switchboard/contracts';
import { InMemoryJournal } from './journal/in-memory.journal.js';
import { type JournalBatch, TaskEventSequence } from './task-event.stream.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

const sequence = (journal: InMemoryJournal, lastSeq = 0, warn?: () => void) =>
  new TaskEventSequence(
    TASK_ID,
    lastSeq,
    'orchestrator',
    journal,
    { tenantId: 'default', userId: 'u1' },
    warn ? { warn } : undefined,
  );

const started = (seq: TaskEventSequence, iteration = 1) =>
  seq.emit('orchestrator.planning.started', { planner: 'builtin', iteration });

/** A statement that commits what it was given (and records it), as a repository's would. */
function statement(taken: JournalBatch[], journaled = true) {
  return async (batch: JournalBatch | undefined) => {
    if (batch) taken.push(batch);
    batch?.committed({ journaled, webhooksDue: 0 });
    return 'done';
  };
}

const tooLong = (): Tasks.PlanAction => ({
  id: 's1',
  kind: 'tool',
  target: 'a'.repeat(200),
  input: {},
  description: `call ${'a'.repeat(600)}`,
});

describe(TaskEventSequence.name, () => {
  it('journals what is pending with the next statement and publishes it only after that commit', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal, 3);
    started(seq);
    started(seq, 2);
    expect(journal.published).toEqual([]);
    const taken: JournalBatch[] = [];
    await expect(seq.commit(statement(taken))).resolves.toBe('done');
    expect(taken[0]?.entry.events.map((e) => e.seq)).toEqual([4, 5]);
    expect(journal.published.map((e) => e.seq)).toEqual([4, 5]);
    expect(seq.unjournaled).toBe(0);
    // Nothing pending: the next statement runs without a batch.
    await seq.commit(statement(taken));
    expect(taken).toHaveLength(1);
  });

  it('names the agent version the task runs on every event from runsAs on, in the contract', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
    started(seq);
    const versionId = '0b6f3c2a-1d4e-4f5a-9b8c-7d6e5f4a3b2c';
    seq.runsAs({
      agent: 'support',
      versionId,
      version: 3,
      label: 'production',
      instructionsSha256: 'a'.repeat(64),
      model: 'builtin',
      toolSchemasSha256: 'b'.repeat(64),
      tools: 2,
    });
    started(seq, 2);
    started(seq, 3);
    await seq.commit(statement([]));
    const [before, ...after] = journal.published;
    expect(before?.agentVersion).toBeUndefined();
    expect(after.map((e) => e.agentVersion)).toEqual([
      { agent: 'support', version: 3, versionId },
      { agent: 'support', version: 3, versionId },
    ]);
    for (const e of after) expect(Tasks.TaskEvent.parse(e)).toEqual(e);
  });

  it('journals and publishes nothing of a statement that failed: its events ride with the next one, in order', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
    started(seq);
    await expect(
      seq.commit(async () => {
        throw new DomainError('UPSTREAM_UNAVAILABLE', 'down', { retryable: true });
      }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(journal.published).toEqual([]);
    started(seq, 2);
    const taken: JournalBatch[] = [];
    await seq.commit(statement(taken));
    expect(taken[0]?.entry.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(journal.published.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('keeps the events of a transition that did not move pending (its gate had no row)', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
    started(seq);
    await seq.commit(statement([], false));
    expect(journal.published).toEqual([]);
    expect(seq.unjournaled).toBe(1);
  });

  it('runs deferred writes with the next statement, and again after one that failed', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
    seq.defer('round_1', {} as never);
    await expect(seq.commit(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    const taken: JournalBatch[] = [];
    await seq.commit(statement(taken));
    expect(taken[0]?.entry.deferred.map((d) => d.name)).toEqual(['round_1']);
    await seq.commit(statement(taken));
    expect(taken).toHaveLength(1);
  });

  it('runs its statements one at a time, in seq order', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
    const order: string[] = [];
    let release: () => void = () => undefined;
    started(seq);
    const first = seq.commit(async (b) => {
      await new Promise<void>((r) => (release = r));
      order.push(`first ${b?.entry.events.map((e) => e.seq).join(',')}`);
      b?.committed(InMemoryJournal.COMMITTED);
    });
    // The first statement is under way (waiting) with event 1; 2 is emitted meanwhile.
    await new Promise((r) => setImmediate(r));
    started(seq, 2);
    const second = seq.commit(async (b) => {
      order.push(`second ${b?.entry.events.map((e) => e.seq).join(',')}`);
      b?.committed(InMemoryJournal.COMMITTED);
    });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first 1', 'second 2']);
    expect(journal.published.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('journals events no statement takes within the live flush in one of their own', async () => {
    jest.useFakeTimers();
    try {
      const journal = new InMemoryJournal();
      const seq = sequence(journal);
      started(seq);
      await jest.advanceTimersByTimeAsync(999);
      expect(journal.written).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(journal.written.flatMap((w) => w.events.map((e) => e.seq))).toEqual([1]);
      expect(journal.published.map((e) => e.seq)).toEqual([1]);
    } finally {
      jest.useRealTimers();
    }
  });

  it("sends what is pending at once when told the events should go live (a delegation's progress)", async () => {
    jest.useFakeTimers();
    try {
      const journal = new InMemoryJournal();
      const seq = sequence(journal);
      started(seq);
      seq.goLive();
      await jest.advanceTimersByTimeAsync(0);
      expect(journal.written.flatMap((w) => w.events.map((e) => e.seq))).toEqual([1]);
      expect(journal.published.map((e) => e.seq)).toEqual([1]);
      // Nothing pending: nothing to send, and no statement of its own.
      seq.goLive();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(journal.written).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('holds what commits until release(), then publishes it in order', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
    started(seq);
    seq.hold();
    await seq.commit(statement([]));
    expect(journal.published).toEqual([]);
    seq.release();
    expect(journal.published.map((e) => e.seq)).toEqual([1]);
  });

  it('says a held commit that ends the task ended it, so its audit records are relayed now, not held for an end', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
    started(seq);
    seq.hold();
    seq.emit('orchestrator.task.completed', {
      result: 'a',
      planner: 'builtin',
      steps: 0,
      durationMs: 1,
    });
    seq.owe({
      id: '00000000-0000-4000-8000-000000000001',
      at: '2026-11-26T10:00:00.000Z',
      source: 'orchestrator',
      category: 'task',
      action: 'task.completed',
      outcome: 'success',
    });
    await seq.commit(async (batch) => {
      batch?.committed({ journaled: true, webhooksDue: 0, auditIds: ['r1'] });
    });
    // published later (release), but its records went at once, marked as the task's end
    expect(journal.published).toEqual([]);
    expect(journal.commits).toEqual([{ events: 0, audit: 1, ending: true }]);
  });

  it('drops what is pending when it restarts after the journal (a claim found the task started)', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
    started(seq);
    seq.restart(7);
    expect(seq.unjournaled).toBe(0);
    started(seq);
    await seq.flush();
    expect(journal.written.flatMap((w) => w.events.map((e) => e.seq))).toEqual([8]);
  });

  it('journals an event that broke its contract reduced, at its own seq', async () => {
    const journal = new InMemoryJournal();
    const warn = jest.fn();
    const seq = sequence(journal, 3, warn);
    seq.emit('orchestrator.planning.completed', {
      planner: 'builtin',
      iteration: 1,
      plan: [tooLong()],
      decision: 'actions',
    });
    await seq.flush();
    const [completed] = journal.written.flatMap((w) => w.events);
    expect(completed?.seq).toBe(4);
    const plan = completed?.name === 'orchestrator.planning.completed' ? completed.data.plan : [];
    expect(plan[0]?.target).toHaveLength(128);
    expect(plan[0]?.description).toHaveLength(Tasks.PLAN_DESCRIPTION_MAX);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('reports every duration to 0.1 ms, whichever emitter measured it', async () => {
    const journal = new InMemoryJournal();
    const seq = sequence(journal);
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
    expect(
      journal.written
        .flatMap((w) => w.events)
        .map((e) => (e.data as { durationMs: number }).durationMs),
    ).toEqual([5.6, 6, 41]);
  });
});
