import type { Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { appendFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderName, taskHash, truncateValues } from './task-log.layout.js';
import { TaskLogRetention } from './task-log.retention.js';
import { TaskLogWriter } from './task-log.writer.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const AT = '2026-11-22T10:00:00.010Z';

function events(): Tasks.TaskEvent[] {
  const base = { taskId: TASK, source: 'orchestrator' };
  const long = 'x'.repeat(1_200);
  return [
    {
      ...base,
      seq: 1,
      at: AT,
      name: 'orchestrator.task.started',
      data: { task: 'what is 17 * 23', userId: 'u1', planner: 'llm', model: 'm' },
    },
    {
      ...base,
      seq: 2,
      at: AT,
      name: 'mcp.task.started',
      data: { stepId: 'r1_c1', tool: 'notes.add', input: { content: long } },
    },
    {
      ...base,
      seq: 3,
      at: AT,
      name: 'mcp.task.completed',
      data: { stepId: 'r1_c1', tool: 'notes.add', output: { id: 'n1' }, durationMs: 3 },
    },
    {
      ...base,
      seq: 4,
      at: AT,
      name: 'a2a.delegation.started',
      data: { stepId: 'r2_c1', agent: 'writer', message: 'draft', transport: 'http' },
    },
    {
      ...base,
      seq: 5,
      at: '2026-11-22T10:00:01.000Z',
      name: 'orchestrator.task.completed',
      data: {
        result: long,
        planner: 'llm',
        steps: 2,
        durationMs: 990,
        usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
      },
    },
  ];
}

const lines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const silent = { info: () => undefined, warn: () => undefined } as unknown as Logger;

describe(TaskLogWriter.name, () => {
  let dir: string;
  let sut: TaskLogWriter;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-task-logs-'));
    sut = new TaskLogWriter({ TASK_LOG_DIR: dir });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the documented layout, truncating long values in main files and keeping them whole in raw/', async () => {
    await sut.write(events());
    const folder = folderName(AT, TASK);
    expect(folder).toBe(`2026-11-22T10:00:00.010Z_${taskHash(TASK)}`);
    expect(folder).toMatch(/_[0-9a-f]{8}$/);
    const root = join(dir, folder);
    expect((await readdir(root)).sort()).toEqual([
      'agents',
      'mcp',
      'metadata.json',
      'orchestrator',
    ]);
    expect(await readdir(join(root, 'mcp'))).toEqual(['r1_c1']);
    expect(await readdir(join(root, 'agents'))).toEqual(['r2_c1']);
    expect((await readdir(join(root, 'orchestrator', 'raw'))).sort()).toEqual([
      '000002_mcp.task.started.json',
      '000005_orchestrator.task.completed.json',
    ]);

    const main = await lines(join(root, 'orchestrator', 'main.jsonl'));
    expect(main.map((l) => l['seq'])).toEqual([1, 2, 3, 4, 5]);
    expect(main[0]).toEqual({
      timestamp: AT,
      seq: 1,
      event: 'orchestrator.task.started',
      source: 'orchestrator',
      data: expect.objectContaining({ task: 'what is 17 * 23' }),
    });
    const completed = main[4] as { data: { result: string }; raw: string };
    expect(completed.data.result).toBe(`${'x'.repeat(500)}... [truncated, 1200 chars total]`);
    expect(completed.raw).toBe('orchestrator/raw/000005_orchestrator.task.completed.json');
    const raw = JSON.parse(await readFile(join(root, completed.raw), 'utf8')) as Tasks.TaskEvent;
    expect(raw.name === 'orchestrator.task.completed' && raw.data.result).toHaveLength(1_200);
    // An object value longer than 500 characters is kept as its (cut) JSON text.
    const mcpStarted = (main[1] as { data: { input: string } }).data.input;
    expect(mcpStarted).toMatch(/^\{"content":"x+\.\.\. \[truncated, 1214 chars total\]$/);

    expect((await lines(join(root, 'mcp', 'r1_c1', 'main.jsonl'))).map((l) => l['event'])).toEqual([
      'mcp.task.started',
      'mcp.task.completed',
    ]);
    expect(
      (await lines(join(root, 'agents', 'r2_c1', 'main.jsonl'))).map((l) => l['event']),
    ).toEqual(['a2a.delegation.started']);
    const meta = JSON.parse(await readFile(join(root, 'metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({
      taskId: TASK,
      taskHash: taskHash(TASK),
      status: 'completed',
      startedAt: AT,
      finishedAt: '2026-11-22T10:00:01.000Z',
      userId: 'u1',
      planner: 'llm',
      model: 'm',
      steps: 2,
      usage: { totalTokens: 15 },
      events: 5,
      lastSeq: 5,
      mcp: ['r1_c1'],
      agents: ['r2_c1'],
    });
  });

  it('is idempotent under redelivery, in any split, and across a restart with a half-written line', async () => {
    const all = events();
    await sut.write(all.slice(0, 3));
    await sut.write(all.slice(1, 4)); // a redelivered batch overlapping the first
    const folder = folderName(AT, TASK);
    const main = join(dir, folder, 'orchestrator', 'main.jsonl');
    // A crash in the middle of an append leaves a partial line behind.
    await appendFile(main, '{"timestamp":"2026-11-22T10:00:01.000Z","seq":5,"ev');
    const restarted = new TaskLogWriter({ TASK_LOG_DIR: dir });
    await restarted.write(all);
    expect((await lines(main)).map((l) => l['seq'])).toEqual([1, 2, 3, 4, 5]);
    expect(
      (await lines(join(dir, folder, 'mcp', 'r1_c1', 'main.jsonl'))).map((l) => l['seq']),
    ).toEqual([2, 3]);
    expect(JSON.parse(await readFile(join(dir, folder, 'metadata.json'), 'utf8'))).toMatchObject({
      events: 5,
      lastSeq: 5,
      status: 'completed',
    });
    // The folder of a task is found again after a restart, even from a late event alone.
    const late = { ...all[2]!, seq: 6, at: '2026-11-23T00:00:00.000Z' } as Tasks.TaskEvent;
    await new TaskLogWriter({ TASK_LOG_DIR: dir }).write([late]);
    expect(await readdir(dir)).toEqual(expect.arrayContaining([folder]));
    expect((await readdir(dir)).filter((n) => !n.startsWith('.'))).toEqual([folder]);
  });

  it('writes the next task after its log directory was removed by hand, index included', async () => {
    await sut.write(events());
    await rm(dir, { recursive: true, force: true });
    const other = events().map((e) => ({ ...e, taskId: '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f0000' }));
    await sut.write(other);
    const folder = await new TaskLogWriter({ TASK_LOG_DIR: dir }).folderOf(other[0]!.taskId);
    expect(folder).toBe(folderName(AT, other[0]!.taskId));
    expect(
      (await lines(join(dir, folder!, 'orchestrator', 'main.jsonl'))).map((l) => l['seq']),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps in memory only the tasks still running: an ended task is forgotten, and a late event of it still lands once', async () => {
    const task = (n: number) => `7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f${String(n).padStart(4, '0')}`;
    const ofTask = (n: number, list: Tasks.TaskEvent[]) =>
      list.map((e) => ({ ...e, taskId: task(n) }));
    // 50 tasks run to their end, in two batches each; one is still running
    for (let n = 0; n < 50; n++) {
      await sut.write(ofTask(n, events().slice(0, 2)));
      await sut.write(ofTask(n, events().slice(2)));
    }
    await sut.write(ofTask(99, events().slice(0, 3)));
    expect(sut.cachedTasks()).toBe(1);

    // a redelivered event of an ended task reads its files back: written once, metadata unchanged
    const folder = (await sut.folderOf(task(7))) as string;
    const before = await readFile(join(dir, folder, 'metadata.json'), 'utf8');
    await sut.write(ofTask(7, events().slice(3, 4)));
    expect(
      (await lines(join(dir, folder, 'orchestrator/main.jsonl'))).map((l) => l['seq']),
    ).toEqual([1, 2, 3, 4, 5]);
    expect(await readFile(join(dir, folder, 'metadata.json'), 'utf8')).toBe(before);
    expect(sut.cachedTasks()).toBe(1);
  });

  it('deletes folders past TASK_LOG_RETENTION_DAYS and keeps the rest', async () => {
    await sut.write(events());
    const other = 'aaaaaaaa-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
    await sut.write(
      events().map(
        (e) => ({ ...e, taskId: other, at: '2026-12-20T10:00:00.000Z' }) as Tasks.TaskEvent,
      ),
    );
    const retention = new TaskLogRetention(
      sut,
      { TASK_LOGS_ENABLED: true, TASK_LOG_RETENTION_DAYS: 7 },
      silent,
    );
    const removed = await retention.sweep(Date.parse('2026-12-21T00:00:00.000Z'));
    expect(removed).toEqual([folderName(AT, TASK)]);
    expect((await readdir(dir)).filter((n) => !n.startsWith('.'))).toEqual([
      folderName('2026-12-20T10:00:00.000Z', other),
    ]);
    await expect(stat(join(dir, '.index', TASK))).rejects.toThrow();
    expect(await sut.folderOf(TASK)).toBeUndefined();
  });
});

describe(`${TaskLogWriter.name} with tenants`, () => {
  let dir: string;
  let sut: TaskLogWriter;
  const OTHER = 'aaaaaaaa-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
  const forTask = (taskId: string, at = AT) =>
    events().map((e) => ({ ...e, taskId, at }) as Tasks.TaskEvent);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-task-logs-'));
    sut = new TaskLogWriter({ TASK_LOG_DIR: dir });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a tenant's tasks under logs/<tenant>/, the default tenant's where they always were", async () => {
    await sut.write([...forTask(TASK), ...forTask(OTHER)], new Map([[OTHER, 'acme']]));
    const acmeFolder = join('acme', folderName(AT, OTHER));
    expect((await readdir(dir)).filter((n) => !n.startsWith('.')).sort()).toEqual([
      folderName(AT, TASK),
      'acme',
    ]);
    expect(await readdir(join(dir, 'acme'))).toEqual([folderName(AT, OTHER)]);
    expect(await sut.folderOf(OTHER)).toBe(acmeFolder);
    expect(
      JSON.parse(await readFile(join(dir, acmeFolder, 'metadata.json'), 'utf8')),
    ).toMatchObject({ taskId: OTHER, tenantId: 'acme', folder: acmeFolder, lastSeq: 5 });
    expect(
      JSON.parse(await readFile(join(dir, folderName(AT, TASK), 'metadata.json'), 'utf8')),
    ).toMatchObject({ taskId: TASK, tenantId: 'default', folder: folderName(AT, TASK) });

    // After a restart, a late event without its tenant still finds the task's folder.
    const late = { ...forTask(OTHER)[2]!, seq: 6 } as Tasks.TaskEvent;
    await new TaskLogWriter({ TASK_LOG_DIR: dir }).write([late]);
    const main = await lines(join(dir, acmeFolder, 'orchestrator', 'main.jsonl'));
    expect(main.map((l) => l['seq'])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await readdir(join(dir, 'acme'))).toEqual([folderName(AT, OTHER)]);
  });

  it("deletes every tenant's folders past retention, and keeps the rest", async () => {
    const recent = '2026-12-20T10:00:00.000Z';
    const third = 'bbbbbbbb-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
    await sut.write(
      [...forTask(TASK), ...forTask(OTHER), ...forTask(third, recent)],
      new Map([
        [OTHER, 'acme'],
        [third, 'acme'],
      ]),
    );
    const retention = new TaskLogRetention(
      sut,
      { TASK_LOGS_ENABLED: true, TASK_LOG_RETENTION_DAYS: 7 },
      silent,
    );
    const removed = await retention.sweep(Date.parse('2026-12-21T00:00:00.000Z'));
    expect(removed.sort()).toEqual([folderName(AT, TASK), join('acme', folderName(AT, OTHER))]);
    expect(await readdir(join(dir, 'acme'))).toEqual([folderName(recent, third)]);
    expect(await sut.folderOf(OTHER)).toBeUndefined();
    await expect(stat(join(dir, '.index', OTHER))).rejects.toThrow();
    expect(await sut.folderOf(third)).toBe(join('acme', folderName(recent, third)));
  });
});

describe('truncateValues', () => {
  it('leaves short values alone and says nothing was cut', () => {
    expect(truncateValues({ a: 'short', b: { c: 1 }, n: 5, z: null })).toEqual({
      data: { a: 'short', b: { c: 1 }, n: 5, z: null },
      truncated: false,
    });
  });
});
