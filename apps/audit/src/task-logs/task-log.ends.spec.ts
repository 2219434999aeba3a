import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type Audit, DomainError, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { Metrics } from '@switchboard/observability';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskLogBuffer } from './task-log.buffer.js';
import { isTaskEnd, TaskLogEnds } from './task-log.ends.js';
import { TaskLogMetrics } from './task-log.metrics.js';
import { TaskLogWriter } from './task-log.writer.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const quiet = () => undefined;
const silent = { debug: quiet, info: quiet, warn: quiet, error: quiet } as never;
const metrics = new TaskLogMetrics(new Metrics('audit', 'test'));

/** The demo task's 5 events, the last one terminal. */
function events(taskId = TASK): Tasks.TaskEvent[] {
  const at = '2026-11-22T10:00:00.000Z';
  const e = (seq: number, name: string, data: unknown) =>
    ({ taskId, seq, at, source: 'orchestrator', name, data }) as Tasks.TaskEvent;
  return [
    e(1, 'orchestrator.task.started', { task: 'demo', userId: 'ann', planner: 'builtin' }),
    e(2, 'orchestrator.planning.started', { planner: 'builtin', iteration: 1 }),
    e(3, 'orchestrator.planning.completed', { planner: 'builtin', iteration: 1, plan: [] }),
    e(4, 'orchestrator.planning.started', { planner: 'builtin', iteration: 2 }),
    e(5, 'orchestrator.task.completed', {
      result: 'done',
      planner: 'builtin',
      steps: 0,
      durationMs: 5,
    }),
  ];
}

const end = (over: Partial<Audit.AuditRecord> = {}): Audit.AuditRecord => ({
  id: '11111111-2222-4333-8444-555555555555',
  at: '2026-11-22T10:00:01.000Z',
  category: 'task',
  action: 'task.completed',
  outcome: 'success',
  source: 'orchestrator',
  actor: { userId: 'ann', role: 'user' },
  resource: TASK,
  taskId: TASK,
  tenantId: 'acme',
  details: {},
  ...over,
});

describe(TaskLogEnds.name, () => {
  let dir: string;
  let buffer: TaskLogBuffer;
  let writer: TaskLogWriter;
  let requests: { taskId: string; afterSeq: number; actor: unknown }[];
  let journal: Tasks.TaskEvent[] | 'down';

  const sut = (lingerMs = 0) => {
    const bus = {
      request: async (
        _c: unknown,
        req: { taskId: string; afterSeq: number; limit: number },
        opts: { actor: unknown },
      ) => {
        requests.push({ taskId: req.taskId, afterSeq: req.afterSeq, actor: opts.actor });
        if (journal === 'down') throw new DomainError('UPSTREAM_UNAVAILABLE', 'no orchestrator');
        // two events a page: the reader must follow lastSeq
        const after = journal.filter((e) => e.seq > req.afterSeq).slice(0, 2);
        return { taskId: req.taskId, events: after, lastSeq: journal.length, ended: true };
      },
    } as unknown as NatsBus;
    return new TaskLogEnds(
      buffer,
      writer,
      bus,
      metrics,
      { TASK_LOGS_ENABLED: true, TASK_LOG_LINGER_MS: lingerMs },
      silent,
    );
  };
  const seqsOnDisk = async () => {
    const folder = (await writer.folderOf(TASK)) as string;
    return (await readFile(join(dir, folder, 'orchestrator/main.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-task-log-ends-'));
    buffer = new TaskLogBuffer();
    writer = new TaskLogWriter({ TASK_LOG_DIR: dir });
    requests = [];
    journal = events();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('recognises a task end record by its category and action', () => {
    expect(isTaskEnd(end())).toBe(true);
    expect(isTaskEnd(end({ action: 'task.cancelled' }))).toBe(true);
    expect(isTaskEnd(end({ action: 'task.submitted' }))).toBe(false);
    expect(isTaskEnd(end({ action: 'task.events.denied' }))).toBe(false);
    expect(isTaskEnd(end({ category: 'tool', action: 'task.completed' }))).toBe(false);
    expect(isTaskEnd(end({ taskId: undefined }))).toBe(false);
  });

  it('writes a task heard whole from the buffer, in its tenant, without asking the journal', async () => {
    buffer.offer(events());
    await sut().chained([end()], [end()]);
    expect(requests).toEqual([]);
    expect(await seqsOnDisk()).toEqual([1, 2, 3, 4, 5]);
    expect(await readdir(join(dir, 'acme'))).toHaveLength(1);
    expect(buffer.holds(TASK)).toBe(false);
  });

  it('waits up to the linger for a terminal event that trails the end record', async () => {
    buffer.offer(events().slice(0, 4));
    const writing = sut(5_000).chained([end()], [end()]);
    buffer.offer(events().slice(4));
    await writing;
    expect(requests).toEqual([]);
    expect(await seqsOnDisk()).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads what it missed from the journal, as the task owner, after the first gap', async () => {
    buffer.offer(events().filter((e) => e.seq !== 3));
    await sut().chained([end()], [end()]);
    expect(requests).toEqual([
      { taskId: TASK, afterSeq: 2, actor: { userId: 'ann', role: 'user', tenantId: 'acme' } },
      expect.objectContaining({ afterSeq: 4 }),
    ]);
    expect(await seqsOnDisk()).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads the whole journal for a task it heard nothing of', async () => {
    await sut(5_000).chained([end()], [end()]);
    expect(requests.map((r) => r.afterSeq)).toEqual([0, 2, 4]);
    expect(await seqsOnDisk()).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails the append when the journal cannot be read, and writes when the record comes again', async () => {
    buffer.offer(events().slice(1));
    journal = 'down';
    await expect(sut().chained([end()], [end()])).rejects.toThrow('no orchestrator');
    expect(await writer.folderOf(TASK)).toBeUndefined();
    journal = events();
    // sent again: already in the trail, but its log is not done
    await sut().chained([end()], []);
    expect(await seqsOnDisk()).toEqual([1, 2, 3, 4, 5]);
  });

  it('leaves a done log alone when its end record comes again, and ignores other records', async () => {
    buffer.offer(events());
    await sut().chained([end()], [end()]);
    requests = [];
    buffer.offer(events().slice(4));
    const other = end({ id: '99999999-2222-4333-8444-555555555555', category: 'tool' });
    await sut().chained([end(), other], [other]);
    expect(requests).toEqual([]);
    expect(buffer.holds(TASK)).toBe(false);
    expect(await seqsOnDisk()).toEqual([1, 2, 3, 4, 5]);
  });

  it('writes nothing when task logs are off', async () => {
    buffer.offer(events());
    const off = new TaskLogEnds(
      buffer,
      writer,
      {} as NatsBus,
      metrics,
      { TASK_LOGS_ENABLED: false, TASK_LOG_LINGER_MS: 0 },
      silent,
    );
    await off.chained([end()], [end()]);
    expect(await writer.folderOf(TASK)).toBeUndefined();
  });

  it('is a Tasks contract reader of the right command', () => {
    expect(Tasks.TaskEvents.callers).toContain('audit');
  });
});
