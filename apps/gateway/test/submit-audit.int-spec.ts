import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import {
  type Actor,
  Audit,
  AuditStream,
  Tasks,
  TaskSubmissionStream,
} from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type Stack,
  startStack,
  waitFor,
} from '@switchboard/testing';

const ann: Actor = { userId: 'ann', role: 'user' };

// The submission's audit record (`task.submit`) rides in the durable submission and is journaled by
// the orchestrator's claim (docs/architecture.md, "The audit relay"): chained once, from the
// orchestrator's journal, and never published on SB_AUDIT — not even when the submission is delivered
// again after its claim. Real gateway, orchestrator, mcp-tools and audit processes on an open NATS (so
// the test may read the streams and their consumers).
describe("the submission's audit record (real gateway, orchestrator, mcp-tools, audit)", () => {
  let stack: Stack;
  let client: BusClient;
  let jsm: JetStreamManager;
  let tap: Subscription;
  /** Every `sb.audit.request.…` message published while the suite runs. */
  const published: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ natsIdentities: false });
    client = await createBusClient(stack.nats.url, 'gateway');
    jsm = await jetstreamManager(client.bus.connection);
    tap = client.bus.connection.subscribe('sb.audit.request.>', {
      callback: (err, msg) => void (err ? undefined : published.push(msg.subject)),
    });
    await client.bus.flush();
  }, 180_000);

  afterAll(async () => {
    tap?.unsubscribe();
    await client?.close();
    await stack?.stop();
  });

  const runTask = async (task: string): Promise<string> => {
    const r = await fetch(`${stack.gatewayUrl}/orchestrate`, {
      method: 'POST',
      headers: { 'x-user-id': ann.userId, 'content-type': 'application/json' },
      body: JSON.stringify({ task }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { task_id: string }).task_id;
  };

  /** The task's rows of the trail with these actions, once there are `count` of them. */
  const trailRows = (taskId: string, count: number) =>
    waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ id: string; action: string; source: string }>(
          `SELECT "id", "action", "source" FROM "AuditEntry"
           WHERE "taskId" = $1 AND "action" IN ('task.submit', 'task.completed') ORDER BY "action"`,
          [taskId],
        );
        return rows.length >= count ? rows : undefined;
      },
      { what: `the task's submission and end in the audit trail` },
    );

  /** The audit records the orchestrator journaled for the task (JournalOutbox), as stored. */
  const journaled = async (taskId: string) =>
    (
      await stack.dbs.orchestrator.query<{ payload: Audit.AuditRecord }>(
        `SELECT "payload" FROM "JournalOutbox" WHERE "kind" = 'audit' AND "taskId" = $1 ORDER BY "id"`,
        [taskId],
      )
    ).map((r) => r.payload);

  it('is chained once from the claim, SB_AUDIT holds nothing of it, and the chain verifies', async () => {
    const taskId = await runTask('what is 17 * 23');
    const rows = await trailRows(taskId, 2);
    expect(rows.map((r) => [r.action, r.source])).toEqual([
      ['task.completed', 'orchestrator'],
      ['task.submit', 'gateway'],
    ]);
    const records = await journaled(taskId);
    const submit = records.filter((r) => r.action === 'task.submit');
    // journaled once, by the claim, with what the gateway has always recorded of a submission
    expect(submit).toEqual([
      expect.objectContaining({
        id: rows[1]?.id,
        category: 'request',
        source: 'gateway',
        taskId,
        actor: ann,
        details: { length: 'what is 17 * 23'.length },
      }),
    ]);
    // Nothing of it reached SB_AUDIT: once the audit service's durable is drained, the stream has
    // no message on the record's subject, and none was published on it.
    const subject = Audit.AuditRecorded.subject(...Audit.auditSubjectTokens(submit[0]!));
    expect(subject).toBe(`sb.audit.request.${taskId}.default`);
    await waitFor(
      async () => {
        const c = await jsm.consumers.info(AuditStream.name, 'audit');
        return c.num_pending === 0 && c.num_ack_pending === 0;
      },
      { what: "the audit service's durable drained" },
    );
    const stored = await jsm.streams.info(AuditStream.name, { subjects_filter: subject });
    expect(stored.state.subjects ?? {}).toEqual({});
    expect(published.filter((s) => s.includes(taskId))).toEqual([]);

    const verified = await fetch(`${stack.gatewayUrl}/audit/verify`, {
      headers: { 'x-user-id': 'ops', 'x-user-role': 'platform-admin' },
    });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ ok: true, scope: 'all' });
  });

  it('a submission delivered again after its claim journals its record no more', async () => {
    const taskId = await runTask('what is 2 * 21');
    await trailRows(taskId, 2);
    const [record] = (await journaled(taskId)).filter((r) => r.action === 'task.submit');
    // The same submission again, past the stream's de-duplication (as a redelivery after a replica
    // died before its ack): the claim finds the task, so its record is not journaled twice.
    const again: Tasks.TaskSubmission = {
      taskId,
      actor: ann,
      request: { task: 'what is 2 * 21' } as Tasks.TaskRequest,
      submittedAt: new Date().toISOString(),
      correlationId: 'submitted-again',
      audit: record!,
    };
    const { seq } = await client.jetstream.publish(Tasks.TaskSubmitted, [], again, {
      msgId: `${taskId}:again`,
      actor: ann,
      correlationId: again.correlationId,
    });
    await waitFor(
      async () =>
        (await jsm.consumers.info(TaskSubmissionStream.name, 'orchestrator')).ack_floor
          .stream_seq >= seq,
      { what: 'the orchestrator done with the submission sent again' },
    );
    expect((await journaled(taskId)).filter((r) => r.action === 'task.submit')).toHaveLength(1);
    expect((await trailRows(taskId, 2)).filter((r) => r.action === 'task.submit')).toHaveLength(1);
  });
});
