import { TASK_LIFECYCLE } from '../lifecycle/task-lifecycle.js';
import { jest } from '@jest/globals';
import { DomainError, type Tasks } from '@switchboard/contracts';
import type { AuditTrail, JetStreamService } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { UsageMeter } from '../../budget/usage-meter.js';
import type { ThreadHistoryService } from '../../threads/thread-history.service.js';
import { FLUSH_PATIENCE_MS, TaskEventSequence } from '../task-event.stream.js';
import { TaskSlots } from '../../quotas/task-slots.js';
import type { JudgeReplayUseCase } from '../../replay/judge-replay/judge-replay.use-case.js';
import type {
  ReleaseThreadUseCase,
  ThreadHolder,
} from '../../threads/release-thread/release-thread.use-case.js';
import { FinishTaskUseCase } from './finish-task.use-case.js';
import type { TaskOutcome, TaskRepository } from '../task.repository.js';
import type { TaskRun } from '../run-task/task-run.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

function setup(
  opts: {
    outage?: boolean;
    storedSteps?: number;
    stored?: Tasks.TaskView;
    /** The slot release fails (it never throws into the task: TaskSlots logs it). */
    releaseFails?: boolean;
  } = {},
) {
  const log: string[] = [];
  const finished: TaskOutcome[] = [];
  const published: Tasks.TaskEvent[] = [];
  const jetstream = {
    publish: async (_c: unknown, _t: unknown, b: Tasks.TaskEventBatch) => {
      if (opts.outage) throw new DomainError('UPSTREAM_UNAVAILABLE', 'down', { retryable: true });
      for (const e of b.events) {
        log.push(`event ${e.seq} ${e.name}`);
        published.push(e);
      }
      return { seq: b.events.at(-1)!.seq, duplicate: false };
    },
  } as unknown as JetStreamService;
  const audits: Record<string, unknown>[] = [];
  const repository = {
    get: async () => opts.stored,
    finish: async (_id: string, o: TaskOutcome) => {
      log.push(`row ${o.status} lastEventSeq=${o.lastEventSeq}`);
      finished.push(o);
      return opts.storedSteps ?? 0;
    },
  } as unknown as TaskRepository;
  const finisher = new FinishTaskUseCase(
    repository,
    { record: async () => void log.push('turns') } as unknown as ThreadHistoryService,
    {
      record: async (r: Record<string, unknown>) => {
        audits.push(r);
        // stored a turn of the event loop later, as a JetStream acknowledgement comes
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`audit stored ${String(r['action'])}`);
      },
    } as unknown as AuditTrail,
    new TaskSlots(
      {
        releaseTask: async (t: { taskId: string; tenantId: string; userId: string }) => {
          if (opts.releaseFails) throw new Error('redis down');
          log.push(`slot freed ${t.tenantId}/${t.userId}`);
        },
        renewTask: async () => true,
      },
      { QUOTA_TASK_LEASE_MS: 600_000 },
      { warn: () => void log.push('slot release failed (logged)') } as unknown as Logger,
    ),
    { error: () => undefined } as unknown as Logger,
    { verdict: async () => undefined } as unknown as JudgeReplayUseCase,
    {
      // The real one releases only a task that names a thread.
      execute: async (h: ThreadHolder) => {
        if (h.threadId) log.push(`thread ${h.threadId} released by ${h.taskId}`);
      },
    } as unknown as ReleaseThreadUseCase,
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
    events: new TaskEventSequence(TASK_ID, 0, 'orchestrator', jetstream),
    phase: TASK_LIFECYCLE.start('planning'),
    startedAt: new Date(),
    planner: 'builtin',
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    retry: {},
    meter: new UsageMeter(0, undefined),
    plan: [],
    resumed: false,
  };
  return { log, finisher, run, finished, published, audits };
}

describe(FinishTaskUseCase.name, () => {
  it('stores every earlier event before the row and the terminal event', async () => {
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
      'event 1 orchestrator.planning.started',
      'event 2 orchestrator.planning.completed',
      'row failed lastEventSeq=3',
      'turns',
      'slot freed default/u1',
      'event 3 orchestrator.task.failed',
      'audit stored task.failed',
    ]);
  });

  it('frees the concurrentTasks slot once on every end, before the terminal event, never failing the task', async () => {
    for (const outcome of [
      { status: 'completed', result: '2' },
      { status: 'failed', error: { code: 'TIMEOUT', message: 'late', retryable: false } },
      { status: 'cancelled', reason: 'no' },
    ] as const) {
      const { log, finisher, run } = setup();
      await finisher.finish(run, outcome, 5);
      expect(log.filter((l) => l.startsWith('slot'))).toEqual(['slot freed default/u1']);
      expect(log.indexOf('slot freed default/u1')).toBeLessThan(
        log.findIndex((l) => l.startsWith('event')),
      );
    }
    const failing = setup({ releaseFails: true });
    await failing.finisher.finish(failing.run, { status: 'completed', result: '2' }, 5);
    expect(failing.log).toEqual([
      'row completed lastEventSeq=1',
      'turns',
      'slot release failed (logged)',
      'event 1 orchestrator.task.completed',
      'audit stored task.completed',
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
        `row ${outcome.status} lastEventSeq=1`,
        'turns',
        'slot freed default/u1',
        `thread chat-1 released by ${TASK_ID}`,
        `event 1 orchestrator.task.${outcome.status}`,
        `audit stored task.${outcome.status}`,
      ]);
    }
  });

  it('does not touch the thread for a replay or fork (a run beside its conversation)', async () => {
    const { log, finisher, run } = setup();
    run.submission.request.thread_id = 'chat-1';
    run.origin = { kind: 'replay' } as unknown as NonNullable<TaskRun['origin']>;
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

  it('writes nothing final when the earlier events cannot be stored (the task is redelivered)', async () => {
    jest.useFakeTimers();
    try {
      const { log, finisher, run } = setup({ outage: true });
      run.events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
      const flushing = finisher
        .finish(run, { status: 'completed', result: '2' }, 5)
        .catch((e: Error) => e);
      await jest.advanceTimersByTimeAsync(FLUSH_PATIENCE_MS + 5_000);
      expect(await flushing).toEqual(new Error(`could not store 1 event(s) of task ${TASK_ID}`));
      expect(log).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('stores the step under way as cancelled and reports the stored count, not the plan', async () => {
    const { finisher, run, finished, published } = setup({ storedSteps: 2 });
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

  it('stores its audit record before it returns (the submission is acked after), under one id per task', async () => {
    const { finisher, run, log, audits } = setup();
    await finisher.finish(run, { status: 'completed', result: '2' }, 5);
    expect(log.at(-1)).toBe('audit stored task.completed');
    expect(audits[0]).toMatchObject({ onceKey: `task:${TASK_ID}:ended` });
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
});
