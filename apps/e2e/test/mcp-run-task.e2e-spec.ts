import {
  type CallToolResult,
  Client,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tasks } from '@switchboard/contracts';
import {
  freePort,
  type ScriptedA2aAgent,
  type Stack,
  startScriptedA2aAgent,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { resultFromTaskOutcome } from '@modelcontextprotocol/ext-tasks/client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TASKS_EXTENSION as TASKS, taskSession } from './support/mcp-task-session.js';

const RUN = 'switchboard.run_task';

interface McpTask {
  taskId: string;
  status: string;
  inputRequests?: Record<string, { method: string }>;
  result?: { content: { text: string }[]; isError?: boolean };
}

/** Someone acting in a tenant (dev auth with TENANCY=true). */
interface Who {
  user: string;
  tenant: string;
}
const headersOf = (who: Who): Record<string, string> => ({
  'x-user-id': who.user,
  'x-user-role': 'user',
  'x-tenant-id': who.tenant,
});

/**
 * The MCP endpoint's own tool `switchboard.run_task` (docs/mcp.md, "Running a whole task"), with the
 * official clients against real processes (NATS with per-service identities, gateway, orchestrator,
 * a2a, mcp-tools, audit) and real A2A 1.0 agents (@a2a-js/sdk servers) that hold their work: over
 * 2026-07-28 a task that delegates becomes an MCP task under the Switchboard task's id — followed by
 * the tasks extension's official requester (`@modelcontextprotocol/ext-tasks`), tasks/cancel cancels
 * it down to the remote agent's task, and another tenant's caller finds no such task; over 2025-11-25
 * it is a normal call answered with the task's answer.
 */
describe('MCP switchboard.run_task: a whole task as an MCP task (official clients, real processes)', () => {
  let stack: Stack;
  let keeper: ScriptedA2aAgent;
  let watcher: ScriptedA2aAgent;
  let gateway: string;
  const clients: { close(): Promise<void> }[] = [];
  const stamp = randomUUID().slice(0, 8);
  const annA: Who = { user: 'ann', tenant: `acme-${stamp}` };
  // The same user id in another tenant: someone else.
  const annG: Who = { user: 'ann', tenant: `globex-${stamp}` };

  beforeAll(async () => {
    keeper = await startScriptedA2aAgent({ name: 'keeper', behaviour: 'hold', push: true });
    watcher = await startScriptedA2aAgent({
      name: 'watcher',
      behaviour: 'hold',
      streaming: true,
      push: true,
    });
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    stack = await startStack({
      shape: 'cell',
      natsIdentities: true,
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      env: {
        gateway: { PORT: String(port), TENANCY: 'true' },
        a2a: {
          A2A_AGENTS: JSON.stringify([
            { name: 'keeper', url: keeper.url },
            { name: 'watcher', url: watcher.url },
          ]),
          A2A_PUSH_CALLBACK_URL: gateway,
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await Promise.allSettled([keeper?.close(), watcher?.close()]);
    expect(refused).toEqual([]);
  });

  async function connect(who: Who): Promise<Client> {
    const client = new Client(
      { name: 'e2e-run-task', version: '2.0.0' },
      {
        versionNegotiation: { mode: { pin: '2026-07-28' } },
        capabilities: { extensions: { [TASKS]: {} } },
      },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway}/mcp`), {
        requestInit: { headers: headersOf(who) },
      }),
    );
    clients.push(client);
    return client;
  }

  const ask = (client: Client, method: string, taskId: string) =>
    client.request({ method, params: { taskId } } as never, z.any()) as Promise<McpTask>;

  const until = (client: Client, taskId: string, status: string) =>
    waitFor(
      async () => {
        const t = await ask(client, 'tasks/get', taskId);
        return t.status === status ? t : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `task ${taskId} to be ${status}` },
    );

  const taskOf = async (taskId: string, who: Who) =>
    (await (
      await fetch(`${gateway}/tasks/${taskId}`, { headers: headersOf(who) })
    ).json()) as Tasks.TaskView;

  it("becomes an MCP task: tasks/get follows it, tasks/cancel cancels it down to the remote agent's task; another tenant finds nothing", async () => {
    const client = await connect(annA);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain(RUN);
    const session = taskSession(client, { url: `${gateway}/mcp`, headers: headersOf(annA) });
    try {
      const execution = await session.callTool(RUN, { task: 'ask the keeper about the archive' });
      expect(execution.kind).toBe('task');
      const taskId = execution.handle!.taskId;
      // The remote agent works on it (held).
      await waitFor(
        () => keeper.traffic.notifications.find((n) => n.state === 'TASK_STATE_WORKING'),
        { what: "the keeper's WORKING notification" },
      );
      expect(await ask(client, 'tasks/get', taskId)).toMatchObject({ taskId, status: 'working' });
      // Submitted as the caller, audited as any task: the submission's record is journaled by the
      // task's claim and relayed (held up to AUDIT_RELAY_HOLD_MS for the end's while the task runs).
      const submitted = await waitFor(
        async () => {
          const rows = await stack.dbs.audit.query<{ userId: string; tenantId: string }>(
            `SELECT "userId", "tenantId" FROM "AuditEntry" WHERE action = 'task.submit' AND "taskId" = $1`,
            [taskId],
          );
          return rows.length ? rows : undefined;
        },
        { what: "the task's submission in the audit trail" },
      );
      expect(submitted).toEqual([{ userId: 'ann', tenantId: annA.tenant }]);

      // The same user id in another tenant: no such task, to read or to cancel.
      const other = await connect(annG);
      await expect(ask(other, 'tasks/get', taskId)).rejects.toThrow(/unknown task/);
      await expect(ask(other, 'tasks/cancel', taskId)).rejects.toThrow(/unknown task/);
      expect((await taskOf(taskId, annA)).status).toBe('running');

      await execution.cancel();
      await until(client, taskId, 'cancelled');
      await waitFor(() => (keeper.cancelled.length === 1 ? true : undefined), {
        what: 'CancelTask at the keeper',
      });
      expect(keeper.traffic.methods).toContain('CancelTask');
      expect((await taskOf(taskId, annA)).status).toBe('cancelled');
    } finally {
      await session.close();
    }
  });

  it("completes: tasks/get shows the task's answer once the remote agent finishes", async () => {
    const client = await connect(annA);
    const session = taskSession(client, { url: `${gateway}/mcp`, headers: headersOf(annA) });
    try {
      const execution = await session.callTool(RUN, {
        task: 'ask the watcher about the logs of March',
      });
      expect(execution.kind).toBe('task');
      const taskId = execution.handle!.taskId;
      await waitFor(
        () => watcher.traffic.notifications.find((n) => n.state === 'TASK_STATE_WORKING'),
        { what: "the watcher's WORKING notification" },
      );
      expect(await ask(client, 'tasks/get', taskId)).toMatchObject({ status: 'working' });
      watcher.release();
      const { outcome } = await execution.settle();
      const answer = resultFromTaskOutcome(outcome) as CallToolResult;
      expect(answer.content).toEqual([
        { type: 'text', text: expect.stringContaining('done: the logs of March') },
      ]);
      expect((await ask(client, 'tasks/get', taskId)).status).toBe('completed');
      expect(watcher.cancelled).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it('waits for an approval of a call of its own as input_required; tasks/update approves it and the task ends', async () => {
    const admin = {
      'content-type': 'application/json',
      ...headersOf(annA),
      'x-user-role': 'admin',
    };
    const policy = { approvers: { requester: true }, allowSelf: true };
    const set = await fetch(`${gateway}/approval-policies/notes.add`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ policy }),
    });
    expect(set.status).toBe(200);
    const client = await connect(annA);
    let release!: () => void;
    const seen = new Promise<void>((resolve) => (release = resolve));
    const session = taskSession(client, {
      url: `${gateway}/mcp`,
      headers: headersOf(annA),
      // The user approves the form (sent with tasks/update) once it was seen in tasks/get below.
      elicit: async () => {
        await seen;
        return { action: 'accept', content: { decision: 'approve' } };
      },
    });
    try {
      const execution = await session.callTool(RUN, {
        task: 'call notes.add with {"content": "written by a run"}',
      });
      expect(execution.kind).toBe('task');
      const taskId = execution.handle!.taskId;
      const got = await waitFor(
        async () => {
          const t = await ask(client, 'tasks/get', taskId);
          return t.status === 'input_required' ? t : undefined;
        },
        { what: 'the task to wait for its approval', intervalMs: 200 },
      );
      expect(got.inputRequests?.['decision']?.method).toBe('elicitation/create');
      release();
      const { outcome } = await execution.settle();
      expect(outcome.status).toBe('completed');
      const notes = await stack.dbs.tools.query<{ content: string }>(
        'SELECT content FROM "Note" WHERE "userId" = $1',
        ['ann'],
      );
      expect(notes).toEqual([{ content: 'written by a run' }]);
    } finally {
      await session.close();
    }
  });

  it('answers over 2025-11-25 as a normal call, and refuses bad arguments naming the field', async () => {
    const transport = new LegacyTransport(new URL(`${gateway}/mcp`), {
      requestInit: { headers: headersOf(annA) },
    });
    const client = new LegacyClient({ name: 'e2e-run-task-1x', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    const tool = (await client.listTools()).tools.find((t) => t.name === RUN);
    expect(tool?.inputSchema).toMatchObject({ required: ['task'] });
    // The watcher was released: it answers at once now. Its events come as progress.
    const progress: { progress: number; message?: string }[] = [];
    const result = (await client.callTool(
      { name: RUN, arguments: { task: 'ask the watcher about the weather' } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    )) as CallToolResult;
    expect(progress.map((p) => p.message)).toContain('orchestrator.task.started');
    expect(progress.map((p) => p.progress)).toEqual(
      [...progress.map((p) => p.progress)].sort((a, b) => a - b),
    );
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([
      { type: 'text', text: expect.stringContaining('done: the weather') },
    ]);
    const { taskId, status } = result._meta?.['dev.switchboard/approval'] as {
      taskId: string;
      status: string;
    };
    expect(status).toBe('completed');
    expect((await taskOf(taskId, annA)).status).toBe('completed');

    const bad = (await client.callTool({
      name: RUN,
      arguments: { task: '   ', max_steps: 3 },
    })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(bad.content).toEqual([
      { type: 'text', text: expect.stringMatching(/^VALIDATION: invalid arguments: arguments/) },
    ]);
  });
});
