import type { Approvals, Tasks } from '@switchboard/contracts';
import {
  type ModernMcpServer,
  repoRoot,
  type Stack,
  startModernMcpServer,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

/**
 * mcp-tools as an MCP client of both revisions (docs/mcp.md#external-mcp-servers-mcp-tools), on real
 * processes: an external server built on the v2 server package that speaks only 2026-07-28 (a real
 * HTTP server), and the 1.x example server over stdio (2025-11-25, reached by the fallback). Tasks
 * use their tools; a tool answering `input_required` is carried through Switchboard's approvals — its
 * question asked as an approval, the call made again with the answer — and a call the server makes
 * an MCP task is followed and, with the Switchboard task, cancelled.
 */
describe('external MCP servers of both revisions (mcp-tools as a v2 client; real processes)', () => {
  let modern: ModernMcpServer;
  let stack: Stack;

  const http = (method: string, path: string, user: string, body?: unknown, role = 'user') =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-user-role': role },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  const submit = async (user: string, task: string, role = 'user') => {
    const res = await http('POST', '/orchestrate?async=true', user, { task }, role);
    expect([200, 202]).toContain(res.status);
    return ((await res.json()) as { task_id: string }).task_id;
  };
  const view = async (taskId: string, user: string, role = 'user') =>
    (await (await http('GET', `/tasks/${taskId}`, user, undefined, role)).json()) as Tasks.TaskView;
  const ended = (taskId: string, user: string, role = 'user') =>
    waitFor(
      async () => {
        const v = await view(taskId, user, role);
        return ['completed', 'failed', 'cancelled'].includes(v.status) ? v : undefined;
      },
      { what: `task ${taskId} to end` },
    );
  const pendingOf = (taskId: string, user: string) =>
    waitFor(
      async () => {
        const res = await http('GET', `/tasks/${taskId}/approvals?status=pending`, user);
        const { approvals } = (await res.json()) as { approvals: Approvals.ApprovalView[] };
        return approvals[0];
      },
      { what: `the pending question of task ${taskId}` },
    );
  const approvalTrail = (taskId: string) =>
    waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string; userId: string | null }>(
          `SELECT action, "userId" FROM "AuditEntry" WHERE "taskId" = $1 AND category = 'approval' ORDER BY seq`,
          [taskId],
        );
        return rows.length >= 2 ? rows : undefined;
      },
      { what: `the approval records of task ${taskId}` },
    );

  beforeAll(async () => {
    modern = await startModernMcpServer();
    stack = await startStack({
      shape: 'cell',
      env: {
        'mcp-tools': {
          MCP_SERVERS: JSON.stringify([
            { name: 'modern', url: modern.url, tools: { long_job: { timeoutMs: 30_000 } } },
            {
              name: 'legacy',
              command: process.execPath,
              args: [join(repoRoot, 'examples/mcp-servers/stdio-server.mjs')],
            },
          ]),
        },
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await modern?.close();
  });

  it('reaches each server in the newest revision it speaks, and says which', async () => {
    const taskId = await submit('root', 'call admin.debug with {}', 'admin');
    const done = await ended(taskId, 'root', 'admin');
    expect(done.status).toBe('completed');
    const { mcpServers } = done.steps[0]!.output as {
      mcpServers: { name: string; state: string; revision?: string }[];
    };
    expect(mcpServers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'modern', state: 'connected', revision: '2026-07-28' }),
        expect.objectContaining({ name: 'legacy', state: 'connected', revision: '2025-11-25' }),
      ]),
    );
  });

  it("hears of the 2026-07-28 server's tool changes on its subscriptions/listen stream", async () => {
    const names = async () => {
      const res = await http('GET', '/tools', `lister-${randomUUID()}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { tools: { name: string }[] }).tools.map((t) => t.name);
    };
    expect(await names()).toEqual(expect.arrayContaining(['modern__echo', 'legacy__echo']));
    expect(await names()).not.toContain('modern__extra');
    modern.addExtraTool();
    await waitFor(async () => (await names()).includes('modern__extra'), {
      what: 'the new tool of the 2026-07-28 server to be offered',
    });
  });

  it('runs a plain tool of each in a task', async () => {
    const user = `plain-${randomUUID()}`;
    const modernTask = await submit(user, 'call modern__echo with {"text":"hello 2026"}');
    const legacyTask = await submit(user, 'call legacy__echo with {"text":"hello 2025"}');
    const [m, l] = [await ended(modernTask, user), await ended(legacyTask, user)];
    expect(m.status).toBe('completed');
    expect(m.steps[0]!.output).toEqual({ text: 'hello 2026' });
    expect(l.status).toBe('completed');
    expect(l.steps[0]!.output).toEqual({ text: 'hello 2025' });
  });

  it("asks a person the server's question (input_required) and, approved, calls again once with the answer", async () => {
    const ann = `ann-${randomUUID()}`;
    const env = `staging-${randomUUID().slice(0, 8)}`;
    const before = modern.log.calls.filter((c) => c.tool === 'deploy').length;
    const taskId = await submit(ann, `call modern__deploy with {"env":"${env}"}`);
    const question = await pendingOf(taskId, ann);
    expect(question.target).toBe('modern__deploy');
    expect(question.reason).toContain(`Deploy to ${env}?`);
    expect(question.input).toMatchObject({ responses: { confirm: { confirm: true } } });
    // The approval is stored first, then the task lets go of the call and says it waits.
    await waitFor(async () => (await view(taskId, ann)).status === 'waiting_approval', {
      what: 'the task to wait for the answer',
    });
    expect(modern.log.deployed).toEqual([]);

    // The approver adds a note within the server's form; what is approved is what the server gets.
    const decided = await http('POST', `/tasks/${taskId}/approvals/${question.approvalId}`, ann, {
      decision: 'approve',
      input: {
        ...question.input,
        responses: { confirm: { confirm: true, note: 'approved in e2e' } },
      },
    });
    expect(decided.status).toBe(200);
    const done = await ended(taskId, ann);
    expect(done.status).toBe('completed');
    expect(done.steps.at(-1)!.output).toEqual({ env, deployed: true });
    expect(modern.log.deployed).toEqual([{ env, note: 'approved in e2e' }]);
    const calls = modern.log.calls.filter((c) => c.tool === 'deploy').slice(before);
    // Asked once, answered once: the second call carried the answer.
    expect(calls).toHaveLength(2);
    expect(calls[1]!.responses).toEqual({
      confirm: { action: 'accept', content: { confirm: true, note: 'approved in e2e' } },
    });
    expect(await approvalTrail(taskId)).toEqual([
      { action: 'approval.requested', userId: ann },
      { action: 'approval.approved', userId: ann },
    ]);
    const toolCall = await waitFor(
      async () =>
        (
          await stack.dbs.audit.query<{ details: Record<string, unknown> }>(
            `SELECT details FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'tool.call' AND outcome = 'success'`,
            [taskId],
          )
        )[0],
      { what: 'the audit record of the answered call' },
    );
    expect(toolCall.details).toMatchObject({
      answerApprovalId: question.approvalId,
      answeredBy: ann,
    });
  });

  it('ends a rejected question as a denied call: the server never gets an answer', async () => {
    const bob = `bob-${randomUUID()}`;
    const env = `prod-${randomUUID().slice(0, 8)}`;
    const taskId = await submit(bob, `call modern__deploy with {"env":"${env}"}`);
    const question = await pendingOf(taskId, bob);
    const before = modern.log.calls.length;
    const decided = await http('POST', `/tasks/${taskId}/approvals/${question.approvalId}`, bob, {
      decision: 'reject',
      reason: 'not on a Thursday',
    });
    expect(decided.status).toBe(200);
    const done = await ended(taskId, bob);
    const step = done.steps.find((s) => s.target === 'modern__deploy');
    expect(step?.status).toBe('failed');
    expect(step?.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(step?.error?.message).toContain('not on a Thursday');
    expect(modern.log.calls.slice(before).filter((c) => c.tool === 'deploy')).toEqual([]);
    expect(modern.log.deployed.map((d) => d.env)).not.toContain(env);
    expect(await approvalTrail(taskId)).toEqual([
      { action: 'approval.requested', userId: bob },
      { action: 'approval.rejected', userId: bob },
    ]);
  });

  it('follows a call the server made an MCP task, and cancels it with the Switchboard task', async () => {
    const user = `jobs-${randomUUID()}`;
    const quick = await submit(user, 'call modern__long_job with {"name":"quick"}');
    const q = await ended(quick, user);
    expect(q.status).toBe('completed');
    expect(q.steps[0]!.output).toEqual({ name: 'quick' });

    const taskId = await submit(user, 'call modern__long_job with {"name":"forever"}');
    await waitFor(
      () => modern.log.calls.some((c) => c.tool === 'long_job' && c.args['name'] === 'forever'),
      { what: 'the long job to start' },
    );
    const cancelledBefore = modern.log.cancelled.length;
    const cancel = await http('POST', `/tasks/${taskId}/cancel`, user, {});
    expect(cancel.status).toBeLessThan(300);
    expect((await ended(taskId, user)).status).toBe('cancelled');
    await waitFor(() => modern.log.cancelled.length > cancelledBefore, {
      what: 'tasks/cancel at the MCP server',
    });
  });
});
