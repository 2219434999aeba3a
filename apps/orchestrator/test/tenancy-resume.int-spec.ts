import { type Actor, Approvals, DomainError, TaskEventStream, Tasks } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type Stack,
  startStack,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventsNamed, submitTask, terminal } from './task-client.js';

/** A message the orchestrator (or mcp-tools) sent, with the actor its headers name. */
interface Seen {
  subject: string;
  userId: string | undefined;
  tenantId: string | undefined;
}

async function refusalOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return `${e.code}: ${e.message}`;
  }
}

// A task that waits for an approval is resumed by the work queue on any replica, from the submission
// the decision sends again: it must run as the same actor, tenant included — its tool call carries
// the tenant's x-sb-tenant-id, and mcp-tools' check of the approval finds it in that tenant (it would
// find nothing in the default tenant, and the call would be refused). Another tenant's admin finds
// neither the task nor its approval. Real orchestrator, mcp-tools (where the calculator needs the
// requester's approval) and audit on an open NATS (so the test can read every request's headers,
// and purge a task's events as the stream's retention would). A replay or fork reads its record from
// the task's rows, in its caller's tenant only, whatever the event stream still keeps (docs/replay.md).
describe('a task resumed after its approval keeps its tenant (real orchestrator, mcp-tools, audit)', () => {
  let stack: Stack;
  let client: BusClient;
  let tap: Subscription;
  const seen: Seen[] = [];

  beforeAll(async () => {
    const toolsFile = join(tempDir('tools-file'), 'tools.yaml');
    writeFileSync(toolsFile, 'tools: []\napprovals:\n  calculator: {}\n');
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator'],
      natsIdentities: false,
      env: { 'mcp-tools': { TOOLS_FILE: toolsFile } },
    });
    client = await createBusClient(stack.nats.url, 'gateway');
    tap = client.bus.connection.subscribe('sb.cmd.>', {
      callback: (err, msg) => {
        if (err) return;
        seen.push({
          subject: msg.subject,
          userId: msg.headers?.get('x-sb-user-id') || undefined,
          tenantId: msg.headers?.get('x-sb-tenant-id') || undefined,
        });
      },
    });
    await client.bus.flush();
  });

  afterAll(async () => {
    tap?.unsubscribe();
    await client?.close();
    await stack?.stop();
  });

  it('runs the approved call in the submitter’s tenant; other tenants find nothing', async () => {
    const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
    const globexAdmin: Actor = { userId: 'root', role: 'admin', tenantId: 'globex' };
    const operator: Actor = { userId: 'ops', role: 'platform-admin' };
    const task = await submitTask(client, { task: 'what is 17 * 23' }, ann);
    const asked = await task.next('orchestrator.approval.requested');
    const { approvalId } = (asked as Tasks.TaskEventOf<'orchestrator.approval.requested'>).data;
    const { taskId } = task;
    await waitFor(
      async () =>
        (await client.bus.request(Tasks.TaskGet, { taskId }, { actor: ann })).status ===
        'waiting_approval',
      { what: 'the task stored as waiting for its approval' },
    );

    // Another tenant's admin: no such task, no such approval, nothing in its list.
    const decide = { taskId, approvalId, decision: 'approve' as const };
    expect(
      await refusalOf(client.bus.request(Approvals.ApprovalDecide, decide, { actor: globexAdmin })),
    ).toBe(`NOT_FOUND: approval ${approvalId} of task ${taskId} not found`);
    expect(
      await refusalOf(client.bus.request(Tasks.TaskGet, { taskId }, { actor: globexAdmin })),
    ).toBe(`NOT_FOUND: task ${taskId} not found`);
    const listOf = async (actor: Actor) =>
      (await client.bus.request(Tasks.TaskList, { limit: 200 }, { actor })).tasks.map(
        (t) => t.taskId,
      );
    expect(await listOf(globexAdmin)).not.toContain(taskId);
    expect(await listOf(operator)).toContain(taskId);
    const inbox = await client.bus.request(
      Approvals.ApprovalList,
      { status: 'pending', limit: 200 },
      { actor: globexAdmin },
    );
    expect(inbox.approvals.map((a) => a.approvalId)).not.toContain(approvalId);

    // The submitter decides; the task is submitted again and resumes.
    await client.bus.request(Approvals.ApprovalDecide, decide, { actor: ann });
    const events = await task.done;
    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: expect.stringContaining('391') },
    });
    expect(eventsNamed(events, 'orchestrator.approval.decided')[0]?.data).toMatchObject({
      status: 'approved',
      decidedBy: 'ann',
    });

    // The resumed run's tool call, and mcp-tools' check of the approval, name ann of acme.
    const call = seen.filter((s) => s.subject === `sb.cmd.tools.call.${taskId}`);
    expect(call).toEqual([
      { subject: `sb.cmd.tools.call.${taskId}`, userId: 'ann', tenantId: 'acme' },
    ]);
    expect(seen.filter((s) => s.subject === Approvals.ApprovalVerify.subject)).toEqual([
      { subject: Approvals.ApprovalVerify.subject, userId: 'ann', tenantId: 'acme' },
    ]);

    // The other tenant's attempt is in the audit trail, as denied, without the task's details.
    const denied = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string; details: unknown }>(
          `SELECT "action", "details" FROM "AuditEntry"
           WHERE "outcome" = 'denied' AND "details"->>'reason' = 'other_tenant' AND "taskId" = $1`,
          [taskId],
        );
        return rows.length >= 2 ? rows : undefined;
      },
      { what: "the audit records of the other tenant's attempts" },
    );
    expect(denied.map((r) => r.action).sort()).toEqual(['approval.decide', 'task.get.denied']);
  });
  it("replays and forks a task whose events the stream no longer keeps, in its tenant only: the record lives with the task's rows", async () => {
    const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
    const text = 'call notes.add with {"content": "kept with the task"}';
    const original = await submitTask(client, { task: text }, ann);
    expect(terminal(await original.done).name).toBe('orchestrator.task.completed');
    const calls = (taskId: string) =>
      seen.filter((s) => s.subject === `sb.cmd.tools.call.${taskId}`);
    expect(calls(original.taskId)).toHaveLength(1);
    // The stream's retention took the task's events (what its max age does after 7 days).
    const jsm = await jetstreamManager(client.bus.connection);
    const filter = Tasks.taskEventsFilter(original.taskId);
    expect((await jsm.streams.purge(TaskEventStream.name, { filter })).purged).toBeGreaterThan(0);
    const left = await jsm.streams.info(TaskEventStream.name, { subjects_filter: filter });
    expect(Object.keys(left.state.subjects ?? {})).toEqual([]);

    const rerun = (actor: Actor, run: Tasks.RunOrigin) =>
      submitTask(client, { task: text }, actor, randomUUID(), run);
    const replay = await rerun(ann, { kind: 'replay', of: original.taskId });
    const replayed = await replay.done;
    expect(eventsNamed(replayed, 'orchestrator.replay.verdict')[0]?.data).toMatchObject({
      identical: true,
      rounds: 2,
      steps: 1,
    });
    expect(terminal(replayed).name).toBe('orchestrator.task.completed');
    expect(calls(replay.taskId)).toEqual([]);

    // Another tenant's admin: the orchestrator, which owns the record, finds no such task.
    const globexAdmin: Actor = { userId: 'root', role: 'admin', tenantId: 'globex' };
    const refused = await (await rerun(globexAdmin, { kind: 'replay', of: original.taskId })).done;
    expect(terminal(refused)).toMatchObject({
      name: 'orchestrator.task.failed',
      data: { error: { code: 'NOT_FOUND', message: `task ${original.taskId} not found` } },
    });

    // A fork from step 1 takes round 1 from the record and runs the note live, once, as ann of acme.
    const fork = await rerun(ann, { kind: 'fork', of: original.taskId, from: { step: 1 } });
    expect(terminal(await fork.done).name).toBe('orchestrator.task.completed');
    expect(calls(fork.taskId)).toEqual([
      { subject: `sb.cmd.tools.call.${fork.taskId}`, userId: 'ann', tenantId: 'acme' },
    ]);
  });
});
