import { type Approvals, Tasks } from '@switchboard/contracts';
import { collectSse, DEMO_TASK, type Stack, startStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/**
 * Approvals on real processes (docs/approvals.md): the demo task, with notes.add to be approved, stops
 * before the note is written; a person decides over HTTP; the decision resumes it on whichever replica
 * takes it — here after the orchestrator was restarted while the task waited.
 */
describe('approvals end to end (real NATS with identities, PostgreSQL, Redis, service processes)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ natsIdentities: true });
  });

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, user: string, body?: unknown, role = 'user') =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-user-id': user,
        'x-user-role': role,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  /** Submits the demo task with notes.add to be approved; resolves once it waits, with the approval. */
  async function waitingDemo(
    user: string,
  ): Promise<{ taskId: string; approval: Approvals.ApprovalView }> {
    const res = await call('POST', '/orchestrate', user, {
      task: DEMO_TASK,
      approval: { tools: ['notes.add'] },
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      task_id: string;
      status: string;
      approval: { approvalId: string; target: string };
      links: Record<string, string>;
    };
    expect(body).toMatchObject({ status: 'waiting_approval', approval: { target: 'notes.add' } });
    const taskId = body.task_id;
    expect(body.links['decide']).toBe(`/tasks/${taskId}/approvals/${body.approval.approvalId}`);
    const stored = await waitFor(
      async () => {
        const r = await call('GET', `/tasks/${taskId}`, user);
        const t = (await r.json()) as Tasks.TaskView;
        return t.status === 'waiting_approval' ? t : undefined;
      },
      { what: 'the task stored as waiting_approval' },
    );
    expect(stored.steps.map((s) => [s.target, s.status])).toEqual([['calculator', 'completed']]);
    const listed = (await (await call('GET', `/tasks/${taskId}/approvals`, user)).json()) as {
      approvals: Approvals.ApprovalView[];
    };
    expect(listed.approvals).toHaveLength(1);
    return { taskId, approval: listed.approvals[0]! };
  }

  const notesOf = (user: string) =>
    stack.dbs.tools.query<{ content: string }>('SELECT content FROM "Note" WHERE "userId" = $1', [
      user,
    ]);

  async function eventsOf(taskId: string, user: string): Promise<Tasks.TaskEvent[]> {
    const res = await call('GET', `/tasks/${taskId}/events`, user);
    expect(res.status).toBe(200);
    return (await collectSse(res)).map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
  }

  it('pauses before notes.add, survives an orchestrator restart, and runs the call once when approved', async () => {
    const ann = `ann-${randomUUID()}`;
    const { taskId, approval } = await waitingDemo(ann);
    expect(approval).toMatchObject({
      status: 'pending',
      kind: 'tool',
      target: 'notes.add',
      input: { content: '391' },
      requestedBy: ann,
    });
    expect(approval.argsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await notesOf(ann)).toEqual([]);

    // Nothing holds the task while it waits: the orchestrator can go and come back.
    await stack.restart('orchestrator');

    // Another user neither sees it in their inbox nor may decide it (not theirs: not found).
    const bob = `bob-${randomUUID()}`;
    const bobs = (await (await call('GET', '/approvals', bob)).json()) as {
      approvals: Approvals.ApprovalView[];
    };
    expect(bobs.approvals.map((a) => a.approvalId)).not.toContain(approval.approvalId);
    const decidePath = `/tasks/${taskId}/approvals/${approval.approvalId}`;
    expect((await call('POST', decidePath, bob, { decision: 'approve' })).status).toBe(404);
    // Ann's inbox has it.
    const anns = (await (await call('GET', '/approvals', ann)).json()) as {
      approvals: Approvals.ApprovalView[];
    };
    expect(anns.approvals.map((a) => a.approvalId)).toContain(approval.approvalId);

    // Two approvals at once: exactly one decides, the other hears 409.
    const [a, b] = await Promise.all([
      call('POST', decidePath, ann, { decision: 'approve' }),
      call('POST', decidePath, ann, { decision: 'approve' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);

    const events = await eventsOf(taskId, ann);
    const names = events.map((e) => e.name);
    expect(names).toContain('orchestrator.approval.requested');
    expect(names).toContain('orchestrator.approval.decided');
    expect(names.indexOf('orchestrator.approval.decided')).toBeGreaterThan(
      names.indexOf('orchestrator.approval.requested'),
    );
    expect(names[names.length - 1]).toBe('orchestrator.task.completed');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(await notesOf(ann)).toEqual([{ content: '391' }]);

    // Proof: the request and the decision are in the hash-chained trail, and the chain verifies.
    const trail = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string; userId: string | null }>(
          `SELECT action, "userId" FROM "AuditEntry" WHERE "taskId" = $1 AND category = 'approval' ORDER BY seq`,
          [taskId],
        );
        return rows.length >= 3 ? rows : undefined;
      },
      { what: 'the approval records' },
    );
    // bob's attempt is there too: every refusal is audited
    expect(trail).toEqual([
      { action: 'approval.requested', userId: ann },
      { action: 'approval.decide', userId: bob },
      { action: 'approval.approved', userId: ann },
    ]);
    const verify = await call('GET', '/audit/verify', 'root', undefined, 'admin');
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ ok: true });
  });

  it('a rejection reaches the planner as a failed step: no note is written', async () => {
    const cid = `cid-${randomUUID()}`;
    const { taskId, approval } = await waitingDemo(cid);
    const res = await call('POST', `/tasks/${taskId}/approvals/${approval.approvalId}`, cid, {
      decision: 'reject',
      reason: 'not today',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'rejected',
      decidedBy: cid,
      comment: 'not today',
    });
    const events = await eventsOf(taskId, cid);
    const failedStep = events.find((e) => e.name === 'orchestrator.step.failed');
    expect(failedStep?.data).toMatchObject({
      target: 'notes.add',
      error: { code: 'FORBIDDEN', message: expect.stringContaining('not today') },
    });
    expect(Tasks.isTerminalTaskEvent(events[events.length - 1]!)).toBe(true);
    expect(await notesOf(cid)).toEqual([]);
  });

  it('cancelling a waiting task cancels its approval and ends the task', async () => {
    const dee = `dee-${randomUUID()}`;
    const { taskId, approval } = await waitingDemo(dee);
    expect((await call('POST', `/tasks/${taskId}/cancel`, dee, {})).status).toBe(202);
    const events = await eventsOf(taskId, dee);
    expect(events[events.length - 1]!.name).toBe('orchestrator.task.cancelled');
    const late = await call('POST', `/tasks/${taskId}/approvals/${approval.approvalId}`, dee, {
      decision: 'approve',
    });
    expect(late.status).toBe(409);
    expect(await notesOf(dee)).toEqual([]);
  });

  it('refuses a decision body that names no decision, naming the field', async () => {
    const eve = `eve-${randomUUID()}`;
    const res = await call('POST', `/tasks/${randomUUID()}/approvals/${randomUUID()}`, eve, {
      decision: 'maybe',
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('decision');
  });

  /** Sets (or, with null, removes) notes.add's policy through the admin API for the test's length. */
  async function withPolicy(policy: Approvals.ApprovalPolicyInput, body: () => Promise<void>) {
    const set = await call('PUT', '/approval-policies/notes.add', 'root', { policy }, 'admin');
    expect(set.status).toBe(200);
    try {
      await body();
    } finally {
      await call('PUT', '/approval-policies/notes.add', 'root', { policy: null }, 'admin');
    }
  }

  /** The demo task as `user` (no approval asked for: the tool's policy decides). */
  async function demoWaiting(user: string, role = 'user') {
    const res = await call('POST', '/orchestrate', user, { task: DEMO_TASK }, role);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { task_id: string; approval: { approvalId: string } };
    return { taskId: body.task_id, approvalId: body.approval.approvalId };
  }

  const deniedRecords = (taskId: string) =>
    stack.dbs.audit.query<{ userId: string }>(
      `SELECT "userId" FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'approval.decide' AND outcome = 'denied' ORDER BY seq`,
      [taskId],
    );

  it('four eyes: the requester may not approve their own call, a stranger may not, the role may', async () => {
    await withPolicy(
      { approvers: { requester: false, roles: ['finance'] }, allowSelf: false },
      async () => {
        const fay = `fay-${randomUUID()}`;
        const { taskId, approvalId } = await demoWaiting(fay, 'finance');
        const path = `/tasks/${taskId}/approvals/${approvalId}`;
        // fay holds the role, but it is her own call
        const own = await call('POST', path, fay, { decision: 'approve' }, 'finance');
        expect(own.status).toBe(403);
        expect(((await own.json()) as { message: string }).message).toContain('own call');
        // gus has neither the role nor his name in the policy: it does not exist for him
        const gus = `gus-${randomUUID()}`;
        expect((await call('POST', path, gus, { decision: 'approve' })).status).toBe(404);
        const gusInbox = (await (await call('GET', '/approvals', gus)).json()) as {
          approvals: Approvals.ApprovalView[];
        };
        expect(gusInbox.approvals.map((a) => a.approvalId)).not.toContain(approvalId);
        // both refusals are in the trail
        const denied = await waitFor(
          async () => {
            const rows = await deniedRecords(taskId);
            return rows.length >= 2 ? rows : undefined;
          },
          { what: 'the refusals in the audit trail' },
        );
        expect(denied.map((r) => r.userId)).toEqual([fay, gus]);
        expect(await notesOf(fay)).toEqual([]);
        // hal holds the role: his inbox has it and he approves
        const hal = `hal-${randomUUID()}`;
        const inbox = (await (
          await call('GET', '/approvals', hal, undefined, 'finance')
        ).json()) as {
          approvals: Approvals.ApprovalView[];
        };
        expect(inbox.approvals.map((a) => a.approvalId)).toContain(approvalId);
        const ok = await call('POST', path, hal, { decision: 'approve' }, 'finance');
        expect(ok.status).toBe(200);
        const events = await eventsOf(taskId, fay);
        expect(events[events.length - 1]!.name).toBe('orchestrator.task.completed');
        expect(events.find((e) => e.name === 'orchestrator.approval.decided')?.data).toMatchObject({
          status: 'approved',
          decidedBy: hal,
        });
        expect(await notesOf(fay)).toEqual([{ content: '391' }]);
        // mcp-tools' record of the call names the approval it ran under
        const call_ = await waitFor(
          async () =>
            (
              await stack.dbs.audit.query<{ details: Record<string, unknown> }>(
                `SELECT details FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'tool.call' AND resource = 'notes.add'`,
                [taskId],
              )
            )[0],
          { what: "mcp-tools' record of the note call" },
        );
        expect(call_.details).toMatchObject({ approvalId });
        // operators see it: asked for, decided, none left pending
        const metrics = await (
          await fetch(`${stack.services['orchestrator']!.url}/metrics`)
        ).text();
        expect(metrics).toMatch(
          /^sb_approvals_requested_total\{[^}]*target="notes\.add"[^}]*\} [1-9]/m,
        );
        expect(metrics).toMatch(
          /^sb_approvals_decided_total\{[^}]*status="approved"[^}]*\} [1-9]/m,
        );
        expect(metrics).toMatch(/^sb_approvals_pending\{?[^}]*\}? 0$/m);
      },
    );
  });

  it('expires on time with nobody asking, across an orchestrator restart: the model hears it', async () => {
    await withPolicy({ expiresInMs: 1_000, onExpiry: 'reject' }, async () => {
      const ivy = `ivy-${randomUUID()}`;
      const { taskId, approvalId } = await demoWaiting(ivy);
      // The timer is the table: a restart while it runs loses nothing.
      await stack.restart('orchestrator');
      const events = await eventsOf(taskId, ivy);
      expect(events.find((e) => e.name === 'orchestrator.approval.decided')?.data).toMatchObject({
        approvalId,
        status: 'expired',
      });
      expect(events.find((e) => e.name === 'orchestrator.step.failed')?.data).toMatchObject({
        target: 'notes.add',
        error: { code: 'FORBIDDEN', message: expect.stringContaining('nobody decided') },
      });
      expect(Tasks.isTerminalTaskEvent(events[events.length - 1]!)).toBe(true);
      expect(await notesOf(ivy)).toEqual([]);
      const late = await call('POST', `/tasks/${taskId}/approvals/${approvalId}`, ivy, {
        decision: 'approve',
      });
      expect(late.status).toBe(409);
    });
  });
});
