import { type Actor, Audit, Tasks } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskHash } from '../src/task-logs/task-log.layout.js';

const ann: Actor = { userId: 'ann', role: 'user' };

/** A task's events as the orchestrator publishes them: one message per step, the end last. */
function messagesOf(taskId: string): Tasks.TaskEvent[][] {
  let seq = 0;
  const at = () => new Date().toISOString();
  const e = (name: string, data: unknown) =>
    ({ taskId, seq: ++seq, at: at(), source: 'orchestrator', name, data }) as Tasks.TaskEvent;
  const step = (index: number) => ({
    stepId: `s${index}`,
    index,
    kind: 'tool' as const,
    target: 'notes.add',
  });
  return [
    [e('orchestrator.task.started', { task: 'demo', userId: 'ann', planner: 'builtin' })],
    [e('orchestrator.planning.started', { planner: 'builtin', iteration: 1 })],
    [e('orchestrator.planning.completed', { planner: 'builtin', iteration: 1, plan: [] })],
    [e('orchestrator.step.dispatching', { ...step(0), input: { text: 'a' } })],
    [e('orchestrator.step.completed', { ...step(0), output: { ok: true }, durationMs: 1 })],
    [e('orchestrator.step.dispatching', { ...step(1), input: { text: 'b' } })],
    [e('orchestrator.step.completed', { ...step(1), output: { ok: true }, durationMs: 1 })],
    [
      e('orchestrator.task.completed', {
        result: 'done',
        planner: 'builtin',
        steps: 2,
        durationMs: 5,
      }),
    ],
  ];
}

const metric = async (audit: ServiceHandle, name: string, match = ''): Promise<number> => {
  const text = await (await fetch(`${audit.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(match));
  return Number(line?.split(' ').pop() ?? 0);
};

/** The task's end record, as the orchestrator's relay sends it (FinishTaskUseCase's endRecord). */
const endRecord = (taskId: string): Audit.AuditRecordInput => ({
  id: randomUUID(),
  at: new Date().toISOString(),
  category: 'task',
  action: 'task.completed',
  outcome: 'success',
  source: 'orchestrator',
  actor: { userId: ann.userId, role: ann.role },
  resource: taskId,
  taskId,
  details: { steps: 2 },
});

// The per-task logs from the live task events, by the real audit process on a private NATS: a task
// is written once, at its end, when its end record is chained — before the append is answered.
describe('per-task logs written at the task end (real audit process, live events)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let audit: ServiceHandle;
  let client: BusClient;
  const taskLogs = mkdtempSync(join(tmpdir(), 'sb-task-logs-once-'));

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('audit_task_logs', 'audit');
    audit = await startService('audit', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      TASK_LOG_DIR: taskLogs,
      AUDIT_BATCH_LINGER_MS: '0',
      TASK_LOG_LINGER_MS: '0',
    });
    client = await createBusClient(nats.url, 'orchestrator');
  });

  afterAll(async () => {
    await client?.close();
    await audit?.stop();
    await nats?.stop();
    await db?.drop();
    rmSync(taskLogs, { recursive: true, force: true });
  });

  /** Published live, as the orchestrator does once the events' statement committed. */
  const publish = (taskId: string, events: Tasks.TaskEvent[]) =>
    client.bus.publish(
      Tasks.TaskEventPublished,
      [taskId, 'default', events.at(-1)!.name],
      { taskId, events },
      { actor: ann },
    );
  const append = (records: Audit.AuditRecordInput[]) =>
    client.bus.request(Audit.AuditAppend, { records }, { retry: false });
  const metadataOf = (taskId: string) => {
    const folder = readdirSync(taskLogs).find((n) => n.endsWith(`_${taskHash(taskId)}`));
    const path = folder && join(taskLogs, folder, 'metadata.json');
    return path && existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as { status: string; events: number })
      : undefined;
  };
  const seqsOf = (taskId: string) => {
    const folder = readdirSync(taskLogs).find((n) => n.endsWith(`_${taskHash(taskId)}`))!;
    return readFileSync(join(taskLogs, folder, 'orchestrator', 'main.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
  };

  it("writes each task's folder once, at its end, from what it heard, before answering the append", async () => {
    const tasks = Array.from({ length: 6 }, () => randomUUID());
    const before = await metric(audit, 'sb_task_log_writes_total');
    // Two tasks at a time, message by message.
    for (let i = 0; i < tasks.length; i += 2) {
      const [a, b] = [tasks[i]!, tasks[i + 1]!];
      const [ma, mb] = [messagesOf(a), messagesOf(b)];
      for (let m = 0; m < ma.length; m++) {
        publish(a, ma[m]!);
        publish(b, mb[m]!);
      }
    }
    await client.bus.flush();
    // nothing is written before the end record is chained
    expect(tasks.map(metadataOf)).toEqual(tasks.map(() => undefined));
    const ends = tasks.map(endRecord);
    // The append is answered once the logs are on disk (TASK_LOG_LINGER_MS 0: no wait for a late
    // terminal event; it was heard long before).
    expect(await append(ends)).toEqual({ appended: tasks.length });
    for (const t of tasks) {
      expect(metadataOf(t)).toMatchObject({ status: 'completed', events: 8 });
      expect(seqsOf(t)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
    expect((await metric(audit, 'sb_task_log_writes_total')) - before).toBe(tasks.length);
    expect(await metric(audit, 'sb_task_log_journal_reads_total')).toBe(0);

    // Sent again (a relay that did not hear the answer): nothing is written twice.
    expect(await append(ends)).toEqual({ appended: 0 });
    expect((await metric(audit, 'sb_task_log_writes_total')) - before).toBe(tasks.length);
  });

  it('fails the append while a missed event cannot be read from the journal, so the end comes again', async () => {
    const taskId = randomUUID();
    // a message the subscription dropped: seq 3 never arrives live
    for (const m of messagesOf(taskId)) if (m[0]!.seq !== 3) publish(taskId, m);
    await client.bus.flush();
    // no orchestrator here to answer TaskEvents
    await expect(append([endRecord(taskId)])).rejects.toThrow();
    expect(metadataOf(taskId)).toBeUndefined();
    expect(await metric(audit, 'sb_task_log_journal_reads_total')).toBeGreaterThan(0);
  });
});
