import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { type Actor, TaskEventStream, Tasks } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  DEMO_TASK,
  type ServiceHandle,
  type Stack,
  startStack,
  waitFor,
  waitForTaskLog,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ann: Actor = { userId: 'ann', role: 'user' };

const metric = async (audit: ServiceHandle, name: string): Promise<number> => {
  const text = await (await fetch(`${audit.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return Number(line?.split(' ').pop() ?? 0);
};

const seqsIn = (folder: string) =>
  readFileSync(join(folder, 'orchestrator', 'main.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { seq: number }).seq);

// The task logs on real processes (orchestrator, mcp-tools, audit; NATS enforcing each identity's
// permissions): a task whose live events the audit service never heard — it was down while the task
// ran — gets its whole log from the orchestrator's journal (TaskEvents, as the task's owner) once the
// relay's sweep brings its end record; a task it heard whole is written from what it heard.
describe('task logs from the journal (real orchestrator, mcp-tools, audit)', () => {
  let stack: Stack;
  let client: BusClient;

  beforeAll(async () => {
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator'],
      env: {
        // the end record owed while the audit service is down is swept again soon after
        // (a task's records held for its end at most 500 ms: the sweep's margin counts the hold)
        orchestrator: {
          AUDIT_RELAY_SWEEP_MS: '500',
          AUDIT_RELAY_SWEEP_AFTER_MS: '2000',
          AUDIT_RELAY_HOLD_MS: '500',
        },
        // long enough that a heard task never reads the journal for a terminal event still on its way
        audit: { TASK_LOG_LINGER_MS: '10000' },
      },
    });
    client = await createBusClient(stack.nats.url, 'gateway', stack.natsSettings('gateway'));
  });

  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  /** Submits a task as the gateway does and resolves with its events once it ended. */
  async function runTask(task: string): Promise<{ taskId: string; lastSeq: number }> {
    const taskId = randomUUID();
    let ended: (lastSeq: number) => void = () => undefined;
    const done = new Promise<number>((resolve) => (ended = resolve));
    const sub = client.bus.subscribe(
      Tasks.TaskEventPublished,
      (stored) => {
        for (const e of Tasks.eventsOf(stored)) if (Tasks.isTerminalTaskEvent(e)) ended(e.seq);
      },
      { subject: Tasks.taskEventsFilter(taskId) },
    );
    await sub.ready;
    await client.jetstream.publish(
      Tasks.TaskSubmitted,
      [],
      {
        taskId,
        actor: ann,
        request: { task },
        submittedAt: new Date().toISOString(),
        correlationId: `test-${taskId}`,
      },
      { msgId: taskId },
    );
    const lastSeq = await done;
    sub.unsubscribe();
    return { taskId, lastSeq };
  }

  it('writes the whole log of a task the audit service missed, from the journal, when its end is chained', async () => {
    await stack.services['audit']!.stop();
    // What an earlier release left: its task-log durable, removed when the audit service starts.
    const jsm = await jetstreamManager(client.bus.connection);
    await jsm.consumers.add(TaskEventStream.name, {
      durable_name: 'task-logs',
      ack_policy: AckPolicy.Explicit,
      filter_subject: Tasks.TaskEventPublished.pattern,
    });

    const missed = await runTask(DEMO_TASK);
    expect(missed.lastSeq).toBeGreaterThan(4);
    const audit = await stack.restart('audit');

    const folder = await waitForTaskLog(stack.taskLogDir, missed.taskId, missed.lastSeq);
    expect(seqsIn(folder)).toEqual(Array.from({ length: missed.lastSeq }, (_, i) => i + 1));
    expect(JSON.parse(readFileSync(join(folder, 'metadata.json'), 'utf8'))).toMatchObject({
      taskId: missed.taskId,
      status: 'completed',
      events: missed.lastSeq,
      lastSeq: missed.lastSeq,
      userId: 'ann',
    });
    expect(await metric(audit, 'sb_task_log_journal_reads_total')).toBe(1);
    await expect(jsm.consumers.info(TaskEventStream.name, 'task-logs')).rejects.toThrow(
      /not found/i,
    );

    // A task it heard from the start: written from its buffer, the journal not asked.
    const heard = await runTask(DEMO_TASK);
    const second = await waitForTaskLog(stack.taskLogDir, heard.taskId, heard.lastSeq);
    expect(seqsIn(second)).toEqual(Array.from({ length: heard.lastSeq }, (_, i) => i + 1));
    await waitFor(async () => (await metric(audit, 'sb_task_log_writes_total')) >= 2, {
      what: 'both task logs counted',
    });
    expect(await metric(audit, 'sb_task_log_journal_reads_total')).toBe(1);
  });
});
