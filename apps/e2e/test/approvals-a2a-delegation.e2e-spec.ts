import { A2a, type Approvals, type DomainError, type Tasks } from '@switchboard/contracts';
import {
  createBusClient,
  type ScriptedA2aAgent,
  type Stack,
  startScriptedA2aAgent,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

const QUESTION = 'Which cost centre should I charge, CC-7 or CC-9?';

/**
 * Approvals of delegations to remote A2A agents on real processes (docs/approvals.md): an agent with an
 * approval policy in A2A_AGENTS makes the delegation wait for a person; a2a refuses a delegation to it
 * that carries no approval; and a remote agent that asks for input makes the calling task wait for a
 * person's answer, which goes on the agent's same task. The agents are real A2A 1.0 HTTP servers.
 */
describe('approvals of delegations to remote agents (real NATS with identities, PostgreSQL, services, A2A agents)', () => {
  let stack: Stack;
  let payer: ScriptedA2aAgent;
  let clerk: ScriptedA2aAgent;

  beforeAll(async () => {
    payer = await startScriptedA2aAgent({ name: 'payer', behaviour: 'answer' });
    clerk = await startScriptedA2aAgent({ name: 'clerk', behaviour: { ask: QUESTION } });
    stack = await startStack({
      shape: 'cell',
      natsIdentities: true,
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      env: {
        a2a: {
          A2A_AGENTS: JSON.stringify([
            // Four eyes: only fay may decide a payment, never the user who asked for it.
            {
              name: 'payer',
              url: payer.url,
              approval: { approvers: { requester: false, users: ['fay'] }, allowSelf: false },
            },
            { name: 'clerk', url: clerk.url },
          ]),
          A2A_POLL_INTERVAL_MS: '50',
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await Promise.allSettled([payer?.close(), clerk?.close()]);
    // Every service had the NATS permissions it needed (a2a asking the orchestrator to verify too).
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, user: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-user-role': 'user' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  /** Submits `task` as `user`; resolves once it waits, with its one pending approval. */
  async function waiting(
    task: string,
    user: string,
  ): Promise<{ taskId: string; approval: Approvals.ApprovalView }> {
    const res = await call('POST', '/orchestrate', user, { task });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { task_id: string; status: string };
    expect(body.status).toBe('waiting_approval');
    const approvals = await waitFor(
      async () => {
        const r = await call('GET', `/tasks/${body.task_id}/approvals`, user);
        const listed = (await r.json()) as { approvals: Approvals.ApprovalView[] };
        return listed.approvals.length > 0 ? listed.approvals : undefined;
      },
      { what: 'the pending approval of the task' },
    );
    expect(approvals).toHaveLength(1);
    return { taskId: body.task_id, approval: approvals[0]! };
  }

  const finished = (taskId: string, user: string) =>
    waitFor(
      async () => {
        const t = (await (await call('GET', `/tasks/${taskId}`, user)).json()) as Tasks.TaskView;
        return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
      },
      { timeoutMs: 60_000, what: `task ${taskId} to end` },
    );

  it("lists the agent's policy, pauses the delegation before the agent hears of it, and runs it once when approved", async () => {
    const listed = (await (await call('GET', '/agents', 'ann')).json()) as {
      agents: A2a.AgentSummary[];
    };
    expect(listed.agents.map((a) => [a.name, a.approval?.approvers.users])).toEqual([
      ['payer', ['fay']],
      ['clerk', undefined],
    ]);

    const ann = `ann-${randomUUID()}`;
    const { taskId, approval } = await waiting('ask the payer to pay invoice 42', ann);
    expect(approval).toMatchObject({
      status: 'pending',
      kind: 'agent',
      target: 'payer',
      input: { message: 'pay invoice 42' },
      requestedBy: ann,
      policy: { approvers: { requester: false, users: ['fay'] }, allowSelf: false },
    });
    expect(payer.received).toEqual([]);

    // The requester may not approve their own payment; fay may.
    const decide = `/tasks/${taskId}/approvals/${approval.approvalId}`;
    expect((await call('POST', decide, ann, { decision: 'approve' })).status).toBe(403);
    expect((await call('POST', decide, 'fay', { decision: 'approve' })).status).toBe(200);

    const done = await finished(taskId, ann);
    expect(done.status).toBe('completed');
    expect(done.result).toContain('done: pay invoice 42');
    expect(payer.received).toEqual([
      { method: 'SendMessage', text: 'pay invoice 42', taskId: undefined },
    ]);
    // The trail: a2a confirmed the approval with the orchestrator and recorded the delegation.
    const records = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string; outcome: string }>(
          `SELECT action, outcome FROM "AuditEntry" WHERE "taskId" = $1 AND category IN ('approval', 'delegation') ORDER BY seq`,
          [taskId],
        );
        return rows.some((r) => r.action === 'a2a.delegate') ? rows : undefined;
      },
      { what: 'the audit records of the delegation' },
    );
    expect(records).toEqual([
      { action: 'approval.requested', outcome: 'success' },
      { action: 'approval.decide', outcome: 'denied' },
      { action: 'approval.approved', outcome: 'success' },
      { action: 'a2a.delegate', outcome: 'success' },
    ]);
  });

  it('a2a refuses a delegation to that agent without an approval, or under one for other arguments, and the agent hears nothing', async () => {
    // The test plays the orchestrator (its own NATS identity), as a model-driven caller would have to.
    const client = await createBusClient(
      stack.nats.url,
      'orchestrator',
      stack.natsSettings('orchestrator'),
    );
    const before = payer.received.length;
    const taskId = randomUUID();
    const delegate = (extra: Partial<A2a.DelegateRequest>) =>
      client.bus
        .request(
          A2a.Delegate,
          {
            delegationId: randomUUID(),
            taskId,
            stepId: 's1',
            agent: 'payer',
            message: 'pay invoice 666',
            ...extra,
          },
          { actor: { userId: 'mallory', role: 'user' }, timeoutMs: 10_000, retry: false },
        )
        .then(
          () => undefined,
          (e: unknown) => e as DomainError,
        );
    try {
      const missing = await delegate({});
      expect(missing).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-missing' } });
      const forged = await delegate({ approval: { id: randomUUID(), argsHash: 'f'.repeat(64) } });
      expect(forged).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'approval-mismatch' } });
    } finally {
      await client.close();
    }
    expect(payer.received).toHaveLength(before);
    // Each refusal is in the trail, with the check that failed.
    const denied = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ outcome: string; reason: string }>(
          `SELECT outcome, details->>'reason' AS reason FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'a2a.delegate' ORDER BY seq`,
          [taskId],
        );
        return rows.length >= 2 ? rows : undefined;
      },
      { what: 'the audit records of the refused delegations' },
    );
    expect(denied).toEqual([
      { outcome: 'denied', reason: 'approval-missing' },
      { outcome: 'denied', reason: 'approval-mismatch' },
    ]);
  });

  it("turns the agent's question into an approval of the calling task, and sends the answer on the agent's same task", async () => {
    const ann = `ann-${randomUUID()}`;
    const { taskId, approval } = await waiting('ask the clerk about the invoice of March', ann);
    expect(approval).toMatchObject({
      status: 'pending',
      kind: 'agent',
      target: 'clerk',
      reason: QUESTION,
      input: { remoteTaskId: expect.any(String), reply: 'approved' },
      requestedBy: ann,
    });
    expect(clerk.received).toEqual([
      { method: 'SendMessage', text: 'the invoice of March', taskId: undefined },
    ]);
    const task = (await (await call('GET', `/tasks/${taskId}`, ann)).json()) as Tasks.TaskView;
    expect(task.status).toBe('waiting_approval');

    const decide = `/tasks/${taskId}/approvals/${approval.approvalId}`;
    // The approver writes the reply alone; it goes on the task the agent named.
    const answer = { decision: 'approve', input: { reply: 'CC-7' } };
    expect((await call('POST', decide, ann, answer)).status).toBe(200);

    const done = await finished(taskId, ann);
    expect(done.status).toBe('completed');
    expect(done.result).toContain('done after the reply: CC-7');
    // The reply went on the task the agent asked on: no second remote task.
    expect(clerk.tasksCreated()).toBe(1);
    expect(clerk.received).toHaveLength(2);
    expect(clerk.received[1]).toMatchObject({ text: 'CC-7' });
    expect(clerk.received[1]?.taskId).toBe(approval.input['remoteTaskId']);
  });

  it("fails the delegation step with the rejection when the person rejects the agent's question", async () => {
    const ann = `ann-${randomUUID()}`;
    const { taskId, approval } = await waiting('ask the clerk about the invoice of April', ann);
    const created = clerk.tasksCreated();
    const decide = `/tasks/${taskId}/approvals/${approval.approvalId}`;
    const reject = { decision: 'reject', reason: 'do not charge anything' };
    expect((await call('POST', decide, ann, reject)).status).toBe(200);
    const done = await finished(taskId, ann);
    const step = done.steps.find((s) => s.target === 'clerk');
    expect(step).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } });
    expect(step?.error?.message).toContain('do not charge anything');
    // Nothing more reached the agent.
    expect(clerk.tasksCreated()).toBe(created);
    expect(clerk.received.filter((m) => m.text.includes('April'))).toHaveLength(1);
  });
});
