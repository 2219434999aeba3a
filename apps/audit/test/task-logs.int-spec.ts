import { type Actor, Tasks } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskHash } from '../src/task-logs/task-log.layout.js';

const ann: Actor = { userId: 'ann', role: 'user' };

/** A task's events as the orchestrator stores them: one message per step, the end last. */
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

// The per-task logs from the task event stream, by the real audit process on a private NATS: a task
// whose stored messages come one after the other is written once, when it ends, not once per message.
describe('per-task logs written once per task (real audit process, JetStream)', () => {
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
      // Audit records' batches do not linger; the task logs' wait far longer than the test, so only
      // the tasks' ends can let a batch go (before, a task was written once per message).
      AUDIT_BATCH_LINGER_MS: '0',
      TASK_LOG_LINGER_MS: '60000',
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

  const publish = (taskId: string, events: Tasks.TaskEvent[]) =>
    client.jetstream.publish(
      Tasks.TaskEventPublished,
      [taskId, 'default', events.at(-1)!.name],
      { taskId, events },
      { msgId: `${taskId}:${events[0]!.seq}-${events.at(-1)!.seq}`, actor: ann },
    );
  const metadataOf = (taskId: string) => {
    const folder = readdirSync(taskLogs).find((n) => n.endsWith(`_${taskHash(taskId)}`));
    const path = folder && join(taskLogs, folder, 'metadata.json');
    return path && existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as { status: string; events: number })
      : undefined;
  };

  it("writes each task's folder once, at its end, with every event, however its messages trickle in", async () => {
    const tasks = Array.from({ length: 6 }, () => randomUUID());
    const before = await metric(audit, 'sb_task_log_writes_total');
    // Two tasks at a time, message by message, each publish acknowledged before the next.
    for (let i = 0; i < tasks.length; i += 2) {
      const [a, b] = [tasks[i]!, tasks[i + 1]!];
      const [ma, mb] = [messagesOf(a), messagesOf(b)];
      for (let m = 0; m < ma.length; m++) {
        await publish(a, ma[m]!);
        await publish(b, mb[m]!);
      }
    }
    await waitFor(
      () =>
        tasks.every((t) => metadataOf(t)?.status === 'completed' && metadataOf(t)?.events === 8),
      { what: 'every task log complete', timeoutMs: 30_000 },
    );
    expect((await metric(audit, 'sb_task_log_writes_total')) - before).toBe(tasks.length);
    for (const t of tasks) {
      const folder = readdirSync(taskLogs).find((n) => n.endsWith(`_${taskHash(t)}`))!;
      const lines = readFileSync(join(taskLogs, folder, 'orchestrator', 'main.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq);
      expect(lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });
});
