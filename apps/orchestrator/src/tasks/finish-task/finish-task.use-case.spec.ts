import { DomainError, type Tasks, tenantOf } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { UsageMeter } from '../run-task/usage-meter.js';
import { InMemoryJournal } from '../journal/in-memory.journal.js';
import { type JournalBatch, TaskEventSequence } from '../task-event.stream.js';
import type { RunSlot, SlotHolder } from '../ports/run-slot.port.js';
import type { TaskObserver } from '../ports/task-observer.port.js';
import { FinishTaskUseCase } from './finish-task.use-case.js';
import type { TaskOutcome, TaskRepository } from '../task.repository.js';
import type { TaskRun } from '../run-task/task-run.js';
import { LIVE_RUN } from '../run-task/live-run.source.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

function setup(
  opts: {
    outage?: boolean;
    storedSteps?: number;
    stored?: Tasks.TaskView;
    /** The slot release fails (it never throws into the task: the slot logs it). */
    releaseFails?: boolean;
  } = {},
) {
  const log: string[] = [];
  const finished: TaskOutcome[] = [];
  const published: Tasks.TaskEvent[] = [];
  const journal = new InMemoryJournal((e) => {
    log.push(`event ${e.seq} ${e.name}`);
    published.push(e);
  });
  const audits: Record<string, unknown>[] = [];
  const repository = {
    get: async () => opts.stored,
    finish: async (_id: string, o: TaskOutcome, batch?: JournalBatch) => {
      if (opts.outage) throw new DomainError('UPSTREAM_UNAVAILABLE', 'down', { retryable: true });
      log.push(
        `row ${o.status} lastEventSeq=${o.lastEventSeq} events=${batch?.entry.events.length ?? 0}`,
      );
      for (const a of batch?.entry.audit ?? []) log.push(`audit owed ${a.action}`);
      finished.push(o);
      batch?.committed(InMemoryJournal.COMMITTED);
      return opts.storedSteps ?? 0;
    },
  } as unknown as TaskRepository;
  const finisher = new FinishTaskUseCase(
    repository,
    {
      // What the end owes is built here and stored by its statement (JournalOutbox).
      build: (r: Record<string, unknown>) => {
        audits.push(r);
        return { ...r, id: 'rec-1', at: new Date().toISOString(), source: 'orchestrator' };
      },
      record: async (r: Record<string, unknown>) => {
        audits.push(r);
        // stored a turn of the event loop later, as a JetStream acknowledgement comes
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`audit stored ${String(r['action'])}`);
      },
    } as unknown as AuditTrail,
    {
      hold: () => () => undefined,
      release: async (t: SlotHolder) => {
        if (opts.releaseFails) log.push('slot release failed (logged)');
        else log.push(`slot freed ${tenantOf(t.actor)}/${t.actor?.userId ?? ''}`);
      },
    } satisfies RunSlot,
    [
      {
        // The thread's: it stores turns, and releases only a task that names a thread.
        ended: async () => void log.push('turns'),
        released: async (h) => {
          if (h.threadId) log.push(`thread ${h.threadId} released by ${h.taskId}`);
        },
      } satisfies TaskObserver,
    ],
  );
  const run: TaskRun = {
    submission: {
      taskId: TASK_ID,
      actor: { userId: 'u1', role: 'user' },
      request: { task: 'what is 1+1' },
      submittedAt: new Date().toISOString(),
      correlationId: 'c1',
    },
    text: 'what is 1+1',
    events: new TaskEventSequence(TASK_ID, 0, 'orchestrator', journal, { tenantId: 'default' }),
    startedAt: new Date(),
    planner: 'builtin',
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    retry: {},
    meter: new UsageMeter(0, undefined),
    plan: [],
    resumed: false,
    stepsStored: new Set(Array.from({ length: opts.storedSteps ?? 0 }, (_, i) => i)),
    source: LIVE_RUN,
  };
  return { log, finisher, run, finished, published, audits, journal };
}

describe(FinishTaskUseCase.name, () => {
  it('journals every earlier event and the terminal one with the row, and publishes them after the slot is freed', async () => {
    const { log, finisher, run } = setup();
    run.events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
    run.events.emit('orchestrator.planning.completed', {
      planner: 'builtin',
      iteration: 1,
      plan: [],
      decision: 'fail',
    });
    await finisher.finish(
      run,
      { status: 'failed', error: { code: 'VALIDATION', message: 'no', retryable: false } },
      5,
    );
    expect(log).toEqual([
      'slot freed default/u1',
      'row failed lastEventSeq=3 events=3',
      'audit owed task.failed',
      'turns',
      'event 1 orchestrator.planning.started',
      'event 2 orchestrator.planning.completed',
      'event 3 orchestrator.task.failed',
    ]);
  });

  it('frees the concurrentTasks slot once on every end, before the end is stored (a poll that reads the task ended finds its slot free), never failing the task', async () => {
    for (const outcome of [
      { status: 'completed', result: '2' },
      { status: 'failed', error: { code: 'TIMEOUT', message: 'late', retryable: false } },
      { status: 'cancelled', reason: 'no' },
    ] as const) {
      const { log, finisher, run } = setup();
      await finisher.finish(run, outcome, 5);
      expect(log.filter((l) => l.startsWith('slot'))).toEqual(['slot freed default/u1']);
      expect(log.indexOf('slot freed default/u1')).toBeLessThan(
        log.findIndex((l) => l.startsWith('row')),
      );
    }
    const failing = setup({ releaseFails: true });
    await failing.finisher.finish(failing.run, { status: 'completed', result: '2' }, 5);
    expect(failing.log).toEqual([
      'slot release failed (logged)',
      'row completed lastEventSeq=1 events=1',
      'audit owed task.completed',
      'turns',
      'event 1 orchestrator.task.completed',
    ]);
  });

  it("hands the task's thread to the next task after storing its turns, before its terminal event", async () => {
    for (const outcome of [
      { status: 'completed', result: '2' },
      { status: 'cancelled', reason: 'interrupted by task x on its thread' },
    ] as const) {
      const { log, finisher, run } = setup();
      run.submission.request.thread_id = 'chat-1';
      await finisher.finish(run, outcome, 5);
      expect(log).toEqual([
        'slot freed default/u1',
        `row ${outcome.status} lastEventSeq=1 events=1`,
        `audit owed task.${outcome.status}`,
        'turns',
        `thread chat-1 released by ${TASK_ID}`,
        `event 1 orchestrator.task.${outcome.status}`,
      ]);
    }
  });

  it('does not touch the thread for a replay or fork (a run beside its conversation)', async () => {
    const { log, finisher, run } = setup();
    run.submission.request.thread_id = 'chat-1';
    run.source = Object.create(LIVE_RUN, {
      kind: { value: 'replay' },
      inThread: { value: false },
    }) as TaskRun['source'];
    await finisher.finish(run, { status: 'completed', result: '2' }, 5);
    expect(log.some((l) => l.startsWith('thread'))).toBe(false);
  });

  it('names the quota that stopped a task in its audit record', async () => {
    const { finisher, run, audits } = setup();
    const quota = {
      quota: 'tokensPerDay',
      scope: 'tenant',
      tenantId: 'default',
      limit: 1000,
      used: 1200,
      retryAfterSeconds: 3600,
    } as const;
    await finisher.finish(
      run,
      {
        status: 'failed',
        error: { code: 'BUDGET_EXCEEDED', message: 'quota', details: quota, retryable: false },
      },
      5,
    );
    expect(audits[0]).toMatchObject({
      action: 'task.failed',
      details: { code: 'BUDGET_EXCEEDED', quota },
    });
  });

  it('publishes nothing when the end cannot be stored (the task is redelivered and resumes)', async () => {
    const { log, finisher, run, journal } = setup({ outage: true });
    run.events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
    await expect(
      finisher.finish(run, { status: 'completed', result: '2' }, 5),
    ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    // (Its slot was freed before the store failed: the resumed run goes on without one.)
    expect(log).toEqual(['slot freed default/u1']);
    expect(run.events.unjournaled).toBe(0);
    expect(journal.written).toEqual([]);
  });

  it('stores the step under way as cancelled and reports the stored count, not the plan', async () => {
    const { finisher, run, finished, published } = setup({ storedSteps: 1 });
    const note: Tasks.PlanAction = {
      id: 's2',
      kind: 'tool',
      target: 'notes.add',
      input: { text: 'x' },
      description: 'save the note',
    };
    // Resumed after a crash (its first step was stored then), and cancelled during its second.
    run.plan.push(note);
    run.underWay = { index: 1, action: note, startedAt: new Date() };
    await finisher.finish(run, { status: 'cancelled', reason: 'changed my mind' }, 41);
    expect(finished[0]).toMatchObject({ interrupted: run.underWay, durationMs: 41 });
    expect(published.at(-1)).toMatchObject({
      name: 'orchestrator.task.cancelled',
      data: { reason: 'changed my mind', steps: 2, durationMs: 41 },
    });
  });

  it("stores its audit record with the end, in the end's own statement, under one id per task (nothing is published)", async () => {
    const { finisher, run, log, audits } = setup();
    await finisher.finish(run, { status: 'completed', result: '2' }, 5);
    expect(log.slice(0, 3)).toEqual([
      'slot freed default/u1',
      'row completed lastEventSeq=1 events=1',
      'audit owed task.completed',
    ]);
    expect(log.some((l) => l.startsWith('audit stored'))).toBe(false);
    expect(audits).toEqual([expect.objectContaining({ onceKey: `task:${TASK_ID}:ended` })]);
  });

  it('owes no audit record of an end that was not stored (the next run ends the task and owes it)', async () => {
    const { finisher, run, log, journal } = setup({ outage: true });
    await expect(finisher.finish(run, { status: 'completed', result: '2' }, 5)).rejects.toThrow();
    expect(log).toEqual(['slot freed default/u1']);
    // What the end owed went with it: the run that ends the task later owes it again.
    await run.events.flush();
    expect(journal.written).toEqual([]);
  });

  it('records the end again from the row for a task delivered after it ended, under the same id', async () => {
    const stored = {
      taskId: TASK_ID,
      userId: 'u1',
      status: 'completed',
      task: 'what is 1+1',
      planner: 'builtin',
      result: '2',
      steps: [],
      lastEventSeq: 4,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      durationMs: 12,
    } as Tasks.TaskView;
    const { finisher, run, audits, log } = setup({ stored });
    await finisher.recordEndAgain(run.submission);
    // Its slot is freed again (idempotent): the replica that ended it may have died first.
    expect(log).toEqual(['slot freed default/u1', 'audit stored task.completed']);
    expect(audits).toEqual([
      expect.objectContaining({
        action: 'task.completed',
        outcome: 'success',
        onceKey: `task:${TASK_ID}:ended`,
        details: { steps: 0, durationMs: 12, planner: 'builtin' },
      }),
    ]);
  });

  it('hands the thread on again for a task found ended, after its slot; not for a replay or fork', async () => {
    const stored = { taskId: TASK_ID, userId: 'u1', status: 'failed', steps: [] };
    const live = setup({ stored: stored as unknown as Tasks.TaskView });
    live.run.submission.request.thread_id = 'chat-1';
    await live.finisher.recordEndAgain(live.run.submission);
    expect(live.log).toEqual([
      'slot freed default/u1',
      `thread chat-1 released by ${TASK_ID}`,
      'audit stored task.failed',
    ]);
    const replay = setup({ stored: stored as unknown as Tasks.TaskView });
    replay.run.submission.request.thread_id = 'chat-1';
    replay.run.submission.run = { kind: 'replay', of: TASK_ID };
    await replay.finisher.recordEndAgain(replay.run.submission);
    expect(replay.log).toEqual(['slot freed default/u1', 'audit stored task.failed']);
  });
});
