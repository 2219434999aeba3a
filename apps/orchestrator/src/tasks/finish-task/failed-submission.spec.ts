import { jest } from '@jest/globals';
import { DomainError, type Tasks } from '@switchboard/contracts';
import type { DeadLetter } from '@switchboard/messaging';
import { type Logger, requestContext, type ServiceIdentity } from '@switchboard/observability';
import { FailedSubmissions } from './failed-submission.js';
import { InMemoryJournal } from '../journal/in-memory.journal.js';
import type { TaskJournal } from '../journal/task-journal.js';
import type { TaskJournalRepository } from '../journal/task-journal.repository.js';
import type { ReleasedTask } from '../ports/task-observer.port.js';
import { TaskEventLog } from '../task-event.log.js';
import type { AbandonedTask, TaskRepository } from '../task.repository.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const submission = {
  taskId: TASK_ID,
  actor: { userId: 'u1', role: 'user' },
  request: { task: 'what is 1+1\u0000' },
  submittedAt: new Date().toISOString(),
  correlationId: 'c1',
};

function setup(
  opts: { stored?: Tasks.TaskEvent[]; row?: Partial<Tasks.TaskView>; rowTenant?: string } = {},
) {
  const events: Tasks.TaskEvent[] = [...(opts.stored ?? [])];
  /** The tenant each publish was sent in (what its x-sb-tenant-id header says). */
  const sentIn: (string | undefined)[] = [];
  const journal = new InMemoryJournal((e) => {
    sentIn.push(requestContext.get()?.actor?.tenantId);
    events.push(e);
  });
  const entries = {
    last: async () => events[events.length - 1],
  } as unknown as TaskJournalRepository;
  const abandoned: AbandonedTask[] = [];
  const repository = {
    get: async () => (opts.row ? ({ steps: [], ...opts.row } as Tasks.TaskView) : undefined),
    tenantOfTask: async () => (opts.row ? (opts.rowTenant ?? 'default') : undefined),
    abandon: async (a: AbandonedTask) => void abandoned.push(a),
  } as unknown as TaskRepository;
  const logger = { warn: jest.fn(), error: jest.fn() };
  const eventLog = new TaskEventLog(
    journal as unknown as TaskJournal,
    entries,
    repository,
    { service: 'orchestrator' } as ServiceIdentity,
    logger as unknown as Logger,
  );
  const audit = { record: jest.fn(async () => undefined) };
  /** Slots freed, and the events stored by then. */
  const released: { taskId: string; tenantId: string | undefined; eventsBefore: number }[] = [];
  const slots = {
    release: async (t: { taskId: string; actor?: { tenantId?: string } }) =>
      void released.push({
        taskId: t.taskId,
        tenantId: t.actor?.tenantId,
        eventsBefore: events.length,
      }),
  };
  /** What the task observers were told it let go of, in order, after which slot releases. */
  const observed: { task: ReleasedTask; slotsBefore: number }[] = [];
  const observer = {
    released: async (task: ReleasedTask) =>
      void observed.push({ task, slotsBefore: released.length }),
  };
  const sut = new FailedSubmissions(repository, eventLog, 'builtin', audit, logger, slots, [
    observer,
  ]);
  return { sut, events, abandoned, audit, logger, sentIn, released, journal, observed };
}

/** The submission's own record, as the gateway puts it in the submission. */
const submitRecord = {
  id: '0b4d2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b',
  at: new Date().toISOString(),
  category: 'request',
  action: 'task.submit',
  outcome: 'success',
  source: 'gateway',
  resource: TASK_ID,
  taskId: TASK_ID,
  actor: { userId: 'u1', role: 'user' },
  tenantId: 'default',
  details: { length: 12 },
};

const dead = (over: Partial<DeadLetter> = {}): DeadLetter => ({
  raw: submission,
  meta: { subject: 'sb.task.submit', correlationId: 'c1' },
  reason: 'rejected',
  error: new DomainError(
    'VALIDATION',
    'invalid payload: request.task: must not contain control characters',
  ),
  ...over,
});

const started = (seq: number): Tasks.TaskEvent => ({
  taskId: TASK_ID,
  seq,
  at: new Date().toISOString(),
  source: 'orchestrator',
  name: 'orchestrator.planning.started',
  data: { planner: 'builtin', iteration: seq },
});

describe(FailedSubmissions.name, () => {
  it('ends a task refused for good: a failed row and orchestrator.task.failed naming why', async () => {
    const { sut, events, abandoned, audit } = setup();
    await sut.end(dead());
    expect(abandoned).toEqual([
      expect.objectContaining({
        taskId: TASK_ID,
        actor: submission.actor,
        text: 'what is 1+1\u0000', // scrubbed by the repository
        lastEventSeq: 1,
        error: expect.objectContaining({ code: 'VALIDATION' }),
      }),
    ]);
    expect(events).toEqual([
      expect.objectContaining({
        seq: 1,
        name: 'orchestrator.task.failed',
        data: expect.objectContaining({
          error: expect.objectContaining({
            code: 'VALIDATION',
            message: expect.stringMatching(
              /the task cannot run: .*request\.task: must not contain/,
            ),
          }),
        }),
      }),
    ]);
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'task.failed', tenantId: 'default' }),
    );
  });

  it('frees the slot the gateway admitted the abandoned task with, before its end is announced', async () => {
    const { sut, released } = setup();
    await sut.end(
      dead({ raw: { ...submission, actor: { ...submission.actor, tenantId: 'acme' } } }),
    );
    expect(released).toEqual([{ taskId: TASK_ID, tenantId: 'acme', eventsBefore: 0 }]);
  });

  it('tells the task observers it holds nothing any more (its thread goes on), after its slot is freed', async () => {
    const { sut, observed } = setup();
    const request = { ...submission.request, thread_id: 'chat-1' };
    await sut.end(dead({ raw: { ...submission, request } }));
    expect(observed).toEqual([
      { task: { taskId: TASK_ID, actor: submission.actor, threadId: 'chat-1' }, slotsBefore: 1 },
    ]);
  });

  it("sends the terminal event as the submission's actor, in its tenant", async () => {
    const { sut, events, sentIn, abandoned } = setup();
    const acme = { ...submission.actor, tenantId: 'acme' };
    await sut.end(dead({ raw: { ...submission, actor: acme } }));
    expect(events.map((e) => e.name)).toEqual(['orchestrator.task.failed']);
    expect(sentIn).toEqual(['acme']);
    expect(abandoned[0]?.actor).toEqual(acme);
  });

  it("changes nothing of another tenant's task that a dead-lettered submission names", async () => {
    const { sut, events, abandoned, audit, logger, released } = setup({
      row: { status: 'running' },
      rowTenant: 'acme',
    });
    await sut.end(
      dead({ raw: { ...submission, actor: { ...submission.actor, tenantId: 'globex' } } }),
    );
    expect(abandoned).toEqual([]);
    expect(events).toEqual([]);
    expect(audit.record).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalled();
    // The refused submission's own slot (its tenant's, by the task id) is freed; acme's is not touched.
    expect(released).toEqual([{ taskId: TASK_ID, tenantId: 'globex', eventsBefore: 0 }]);
  });

  it('continues after the events already stored, and says when it gave up after failures', async () => {
    const { sut, events, abandoned } = setup({
      stored: [started(1), started(2)],
      row: { status: 'running' },
    });
    await sut.end(dead({ reason: 'failed 5 times: boom', error: new Error('boom') }));
    expect(abandoned[0]?.lastEventSeq).toBe(3);
    expect(events[2]).toMatchObject({
      seq: 3,
      name: 'orchestrator.task.failed',
      data: { error: { code: 'INTERNAL', message: expect.stringMatching(/gave up/) } },
    });
    expect(JSON.stringify(events[2])).not.toContain('boom');
  });

  it('leaves a task alone that has ended, repairing only a lost terminal event', async () => {
    const ended = setup({ row: { status: 'completed', result: '2', steps: [] } });
    await ended.sut.end(dead());
    expect(ended.abandoned).toEqual([]);
    expect(ended.events.map((e) => e.name)).toEqual(['orchestrator.task.completed']);
    await ended.sut.end(dead());
    expect(ended.events).toHaveLength(1);
  });

  it('still ends the stream of a submission without a usable actor, and ignores one without a task id', async () => {
    const { sut, events, abandoned, logger } = setup();
    await sut.end(dead({ raw: { taskId: TASK_ID, actor: { userId: 'bad user!' } } }));
    expect(abandoned).toEqual([]);
    expect(events.map((e) => e.name)).toEqual(['orchestrator.task.failed']);
    await sut.end(dead({ raw: { nothing: true } }));
    expect(events).toHaveLength(1);
    expect(logger.error).toHaveBeenCalled();
  });

  it("journals the submission's audit record with the failed event: a task dead-lettered before its claim is recorded", async () => {
    const { sut, journal, audit } = setup();
    await sut.end(dead({ raw: { ...submission, audit: submitRecord } }));
    expect(journal.written).toEqual([
      expect.objectContaining({
        events: [expect.objectContaining({ name: 'orchestrator.task.failed' })],
        audit: [submitRecord],
      }),
    ]);
    // published on its own: only the task's end, as before
    expect(audit.record.mock.calls.map((c) => (c as unknown[])[0])).toEqual([
      expect.objectContaining({ action: 'task.failed' }),
    ]);
  });

  it("journals no record that is not the submission's own (another task's, another category)", async () => {
    for (const foreign of [
      { ...submitRecord, taskId: '11111111-2222-4333-8444-555555555555' },
      { ...submitRecord, category: 'task', action: 'task.completed' },
      { ...submitRecord, source: 'mcp-tools' },
    ]) {
      const { sut, journal, logger } = setup();
      await sut.end(dead({ raw: { ...submission, audit: foreign } }));
      expect(journal.written.map((w) => w.audit)).toEqual([[]]);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.objectContaining({ auditId: submitRecord.id }),
        expect.stringMatching(/not its own/),
      );
    }
  });
});
