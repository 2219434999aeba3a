import {
  type CallToolResult,
  Client,
  type ElicitRequest,
  type ElicitResult,
  type FetchLike,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import {
  CreateTaskResultV2Schema,
  GetTaskResultV2Schema,
} from '@modelcontextprotocol/ext-tasks/core/v2';
import { resultFromTaskOutcome } from '@modelcontextprotocol/ext-tasks/client';
import type { Approvals } from '@switchboard/contracts';
import {
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { rpcMessage, TASKS_EXTENSION as TASKS, taskSession } from './support/mcp-task-session.js';

const REVISION = '2026-07-28';

interface McpTask {
  taskId: string;
  status: string;
  inputRequests?: Record<string, { method: string; params: { requestedSchema: unknown } }>;
  result?: { content: { text: string }[] };
}
const AnyResult = z.any();

/**
 * MCP revision 2026-07-28 on the gateway's /mcp beside 2025-11-25 (docs/mcp.md), with the official v2
 * client (`@modelcontextprotocol/client`) against real processes: two gateway replicas answering
 * alternately with no session, discovery, the header check, an approval answered as
 * `input_required` by calling again, a waiting call as an MCP task — on the wire exactly the tasks
 * extension's task result, followed by its official requester (`@modelcontextprotocol/ext-tasks`:
 * tasks/get, tasks/update, tasks/cancel) — and another user seeing none of it.
 */
describe('MCP 2026-07-28 on /mcp (official v2 client; two gateway replicas)', () => {
  let stack: Stack;
  let second: ServiceHandle;
  const clients: Client[] = [];
  /** Which replica served each request of the alternating clients (its port). */
  const served: string[] = [];

  const http = (method: string, path: string, user: string, body?: unknown, role = 'user') =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-user-role': role },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    stack = await startStack({ natsIdentities: true, shape: 'cell' });
    second = await startService('gateway', stack.envOf('gateway'), { logDir: stack.logDir });
    const policy: Approvals.ApprovalPolicyInput = {
      approvers: { requester: true },
      allowSelf: true,
    };
    const set = await http('PUT', '/approval-policies/notes.add', 'root', { policy }, 'admin');
    expect(set.status).toBe(200);
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await second?.stop();
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  /** Sends each request to the next replica in turn, and checks no session id ever comes back. */
  const alternating = (): FetchLike => {
    let n = 0;
    return async (input, init) => {
      const base = n++ % 2 === 0 ? stack.gatewayUrl : second.url;
      const url = new URL(String(input instanceof Request ? input.url : input));
      const res = await fetch(`${base}${url.pathname}${url.search}`, init);
      served.push(new URL(base).port);
      expect(res.headers.get('mcp-session-id')).toBeNull();
      return res;
    };
  };

  async function connect(
    userId: string,
    opts: { elicit?: (r: ElicitRequest) => ElicitResult; tasks?: boolean } = {},
  ): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${stack.gatewayUrl}/mcp`), {
      requestInit: { headers: { 'x-user-id': userId, 'x-user-role': 'user' } },
      fetch: alternating(),
    });
    const client = new Client(
      { name: 'e2e-v2', version: '2.0.0' },
      {
        versionNegotiation: { mode: { pin: REVISION } },
        capabilities: {
          ...(opts.elicit ? { elicitation: {} } : {}),
          ...(opts.tasks ? { extensions: { [TASKS]: {} } } : {}),
        },
      },
    );
    const { elicit } = opts;
    if (elicit) client.setRequestHandler('elicitation/create', (r) => elicit(r));
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  const notesOf = (user: string) =>
    stack.dbs.tools.query<{ content: string }>('SELECT content FROM "Note" WHERE "userId" = $1', [
      user,
    ]);

  /** A raw 2026-07-28 request body (the `_meta` envelope a client sends). */
  const body = (
    method: string,
    params: Record<string, unknown> = {},
    clientCapabilities: Record<string, unknown> = {},
  ) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': REVISION,
          'io.modelcontextprotocol/clientCapabilities': clientCapabilities,
        },
      },
    });
  const headers = (method: string, extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'x-user-id': `raw-${randomUUID()}`,
    'mcp-protocol-version': REVISION,
    'mcp-method': method,
    ...extra,
  });
  const taskRequest = (client: Client, method: string, params: Record<string, unknown>) =>
    client.request({ method, params } as never, AnyResult) as Promise<McpTask>;

  it('lists and calls tools through both replicas with no session; discovery names tools and the tasks extension', async () => {
    const user = `v2-${randomUUID()}`;
    served.length = 0;
    const client = await connect(user);
    expect(Object.keys(client.getServerCapabilities()?.extensions ?? {})).toContain(TASKS);
    expect(client.getInstructions()).toContain('calculator');
    const first = await client.listTools();
    expect(first.tools.map((t) => t.name)).toContain('calculator');
    expect(first.tools.map((t) => t.name)).not.toContain('admin.debug');
    const results: CallToolResult[] = [];
    for (const expression of ['2 + 2', '17 * 23', '10 - 1'])
      results.push(
        (await client.callTool({
          name: 'calculator',
          arguments: { expression },
        })) as CallToolResult,
      );
    expect(results.map((r) => (r.structuredContent as { result: number }).result)).toEqual([
      4, 391, 9,
    ]);
    // discover + list + three calls, alternating: both replicas answered.
    expect(new Set(served).size).toBe(2);
  });

  it('answers honest cache hints, and a header that disagrees with the body gets -32020', async () => {
    const list = await fetch(`${second.url}/mcp`, {
      method: 'POST',
      headers: headers('tools/list'),
      body: body('tools/list'),
    });
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { result: Record<string, unknown> };
    expect(listed.result).toMatchObject({
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
    });

    const mismatch = await fetch(`${stack.gatewayUrl}/mcp`, {
      method: 'POST',
      headers: headers('tools/call', { 'mcp-name': 'time.now' }),
      body: body('tools/call', { name: 'calculator', arguments: { expression: '1 + 1' } }),
    });
    expect(mismatch.status).toBe(400);
    const error = ((await mismatch.json()) as { error: { code: number; message: string } }).error;
    expect(error.code).toBe(-32020);
    expect(error.message).toContain('calculator');
  });

  it('asks for an approval as input_required; the answer by calling again runs the call once, audited', async () => {
    const ann = `v2-ann-${randomUUID()}`;
    const asked: ElicitRequest['params'][] = [];
    const client = await connect(ann, {
      elicit: (r) => {
        asked.push(r.params);
        return { action: 'accept', content: { decision: 'approve' } };
      },
    });
    const result = (await client.callTool({
      name: 'notes.add',
      arguments: { content: 'approved by calling again' },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ content: 'approved by calling again' });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain('notes.add with {"content":"approved by calling again"}');
    expect(await notesOf(ann)).toEqual([{ content: 'approved by calling again' }]);
    const { taskId } = result._meta?.['dev.switchboard/approval'] as { taskId: string };
    const trail = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string; userId: string | null }>(
          `SELECT action, "userId" FROM "AuditEntry" WHERE "taskId" = $1 AND category = 'approval' ORDER BY seq`,
          [taskId],
        );
        return rows.length >= 2 ? rows : undefined;
      },
      { what: 'the approval records of the 2026-07-28 call' },
    );
    expect(trail).toEqual([
      { action: 'approval.requested', userId: ann },
      { action: 'approval.approved', userId: ann },
    ]);
  });

  it("answers a call that needs a decision the caller may not give, from a client with the tasks extension, with the extension's task result (plain HTTP)", async () => {
    // Four eyes: an auditor decides memory.remember, never the caller.
    const policy: Approvals.ApprovalPolicyInput = {
      approvers: { requester: false, roles: ['auditor'] },
      allowSelf: false,
    };
    const set = await http(
      'PUT',
      '/approval-policies/memory.remember',
      'root',
      { policy },
      'admin',
    );
    expect(set.status).toBe(200);
    const cal = `v2-raw-${randomUUID()}`;
    const rpc = async (
      method: string,
      params: Record<string, unknown>,
      name: string,
      capabilities: Record<string, unknown> = { extensions: { [TASKS]: {} } },
    ) => {
      const res = await fetch(`${stack.gatewayUrl}/mcp`, {
        method: 'POST',
        headers: { ...headers(method, { 'mcp-name': name }), 'x-user-id': cal },
        body: body(method, params, capabilities),
      });
      expect(res.status).toBe(200);
      return rpcMessage(await res.text());
    };
    const secret = `the vault code is ${randomUUID()}`;
    const call = { name: 'memory.remember', arguments: { content: secret } };

    const { result } = await rpc('tools/call', call, call.name);
    // Exactly the extension's CreateTaskResult (Result & Task, resultType "task"): no tool result
    // fields, and nothing of the call's arguments.
    const created = CreateTaskResultV2Schema.strict().parse(result);
    expect(created).toMatchObject({ resultType: 'task', status: 'working', ttlMs: null });
    expect(created.statusMessage).toContain('You may not decide it yourself');
    expect(created.statusMessage).toContain('holders of the role auditor');
    expect(JSON.stringify(result)).not.toContain(secret);
    const { taskId } = created;

    // tasks/get: the extension's GetTaskResult — working (someone else decides), no form to answer.
    const waiting = (await rpc('tasks/get', { taskId }, taskId)).result;
    expect(GetTaskResultV2Schema.safeParse(waiting).error).toBeUndefined();
    expect(waiting).toMatchObject({ resultType: 'complete', taskId, status: 'working' });
    expect(waiting).not.toHaveProperty('inputRequests');

    // The auditor approves it in the HTTP API; the task ends, and tasks/get says so.
    const inbox = (await (await http('GET', '/approvals', 'aud', undefined, 'auditor')).json()) as {
      approvals: Approvals.ApprovalView[];
    };
    const approval = inbox.approvals.find((a) => a.taskId === taskId);
    const decided = await http(
      'POST',
      `/tasks/${taskId}/approvals/${approval!.approvalId}`,
      'aud',
      { decision: 'approve' },
      'auditor',
    );
    expect(decided.status).toBe(200);
    const done = await waitFor(
      async () => {
        const got = (await rpc('tasks/get', { taskId }, taskId)).result;
        return got?.['status'] === 'completed' ? got : undefined;
      },
      { what: 'the approved task to complete', intervalMs: 200 },
    );
    expect(GetTaskResultV2Schema.safeParse(done).error).toBeUndefined();
    expect(done['result']).toMatchObject({ resultType: 'complete' });
    expect(done['result']).not.toHaveProperty('isError');

    // A 2026-07-28 client without the extension: the answer that says how to approve it, as before.
    const plain = (await rpc('tools/call', call, call.name, {})).result as CallToolResult;
    expect(plain).toMatchObject({ resultType: 'complete', isError: true });
    expect((plain.content[0] as { text: string }).text).toContain('approvals/');
  });

  it("follows a waiting call with the extension's official requester: a task, approved with tasks/update; another cancelled with tasks/cancel; other users see nothing", async () => {
    const bob = `v2-bob-${randomUUID()}`;
    const client = await connect(bob, { tasks: true });
    let release!: () => void;
    const checked = new Promise<void>((resolve) => (release = resolve));
    const asked: { taskId?: string | undefined; message: unknown }[] = [];
    let first: string | undefined;
    const session = taskSession(client, {
      url: `${stack.gatewayUrl}/mcp`,
      headers: { 'x-user-id': bob, 'x-user-role': 'user' },
      fetch: alternating(),
      // The user approves the first call's form once the checks below are done; any other waits.
      elicit: async (request, context) => {
        asked.push({ taskId: context.taskId, message: request.params['message'] });
        if (context.taskId !== first)
          return new Promise((_, reject) =>
            context.signal?.addEventListener('abort', () => reject(new Error('closed'))),
          );
        await checked;
        return { action: 'accept', content: { decision: 'approve' } };
      },
    });
    try {
      const execution = await session.callTool('notes.add', { content: 'approved as a task' });
      expect(execution.kind).toBe('task');
      const taskId = execution.handle!.taskId;
      first = taskId;

      const got = await taskRequest(client, 'tasks/get', { taskId });
      expect(got).toMatchObject({ taskId, status: 'input_required' });
      expect(got.inputRequests?.['decision']?.method).toBe('elicitation/create');

      // Someone else cannot read, decide or cancel it (answered like a task that does not exist).
      const eve = await connect(`v2-eve-${randomUUID()}`, { tasks: true });
      await expect(taskRequest(eve, 'tasks/get', { taskId })).rejects.toThrow(/unknown task/);
      await expect(taskRequest(eve, 'tasks/cancel', { taskId })).rejects.toThrow(/unknown task/);
      await expect(
        taskRequest(eve, 'tasks/update', {
          taskId,
          inputResponses: { decision: { action: 'accept', content: { decision: 'approve' } } },
        }),
      ).rejects.toThrow(/unknown task/);
      // A malformed answer names the field.
      await expect(
        taskRequest(client, 'tasks/update', { taskId, inputResponses: { decision: { nope: 1 } } }),
      ).rejects.toThrow(/inputResponses\.decision/);

      release();
      const { outcome } = await execution.settle();
      expect(outcome.status).toBe('completed');
      const result = resultFromTaskOutcome(outcome) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect((result.content[0] as { text: string }).text).toContain('approved as a task');
      expect(asked).toEqual([
        { taskId, message: expect.stringContaining('Approve the call of notes.add') },
      ]);
      expect(await notesOf(bob)).toEqual([{ content: 'approved as a task' }]);

      const other = await session.callTool('notes.add', { content: 'never written' });
      expect(other.kind).toBe('task');
      const otherId = other.handle!.taskId;
      await other.cancel();
      // Asked of the orchestrator that holds it; the task ends cancelled a moment later.
      await waitFor(
        async () =>
          (await taskRequest(client, 'tasks/get', { taskId: otherId })).status === 'cancelled',
        { what: 'the cancelled task', intervalMs: 200 },
      );
      expect(await notesOf(bob)).toEqual([{ content: 'approved as a task' }]);
    } finally {
      await session.close();
    }
  });

  it('continues the trace named in _meta, and tells listening clients when the tools on offer change', async () => {
    const user = `v2-trace-${randomUUID()}`;
    const client = await connect(user);
    const traceId = randomUUID().replaceAll('-', '');
    const result = (await client.callTool({
      name: 'calculator',
      arguments: { expression: '6 * 7' },
      _meta: { traceparent: `00-${traceId}-${'ab'.repeat(8)}-01` },
    })) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ result: 42 });
    const traced = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string; userId: string | null }>(
          'SELECT action, "userId" FROM "AuditEntry" WHERE "traceId" = $1',
          [traceId],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { what: "an audit record in the caller's trace" },
    );
    expect(traced).toEqual(expect.arrayContaining([expect.objectContaining({ userId: user })]));

    let notified = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      notified++;
    });
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    // A tool's policy changing changes what the listing says about it: listeners hear of it.
    const policy: Approvals.ApprovalPolicyInput = {
      approvers: { requester: true },
      allowSelf: true,
    };
    const set = await http('PUT', '/approval-policies/time.now', 'root', { policy }, 'admin');
    expect(set.status).toBe(200);
    await waitFor(() => notified > 0, { what: 'notifications/tools/list_changed' });
    await subscription.close();
  });

  it('answers bad input with a JSON-RPC error naming the field, never a 500', async () => {
    const user = `v2-bad-${randomUUID()}`;
    const send = async (method: string, params: Record<string, unknown>, name?: string) => {
      const res = await fetch(`${stack.gatewayUrl}/mcp`, {
        method: 'POST',
        headers: { ...headers(method, name ? { 'mcp-name': name } : {}), 'x-user-id': user },
        body: body(method, params),
      });
      expect(res.status).toBeLessThan(500);
      return ((await res.json()) as { error?: { code: number; message: string } }).error;
    };
    const state = await send(
      'tools/call',
      { name: 'notes.add', arguments: { content: 'x' }, requestState: 'not json' },
      'notes.add',
    );
    expect(state).toMatchObject({ code: -32602 });
    expect(state!.message).toContain('requestState');
    const taskId = await send('tasks/get', { taskId: 'nope' }, 'nope');
    expect(taskId).toMatchObject({ code: -32602 });
    expect(taskId!.message).toContain('taskId');
    const someone = randomUUID();
    const unknown = await send('tasks/cancel', { taskId: someone }, someone);
    expect(unknown).toMatchObject({
      code: -32602,
      message: expect.stringContaining('unknown task'),
    });
    const version = await fetch(`${stack.gatewayUrl}/mcp`, {
      method: 'POST',
      headers: { ...headers('tools/list'), 'mcp-protocol-version': '2099-01-01' },
      body: body('tools/list').replace(REVISION, '2099-01-01'),
    });
    const unsupported = ((await version.json()) as { error: { code: number; data: unknown } })
      .error;
    expect(unsupported.code).toBe(-32022);
    expect(unsupported.data).toMatchObject({ supported: expect.arrayContaining([REVISION]) });
  });
});
