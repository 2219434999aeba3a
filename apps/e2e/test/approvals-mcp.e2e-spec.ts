import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  ElicitRequestSchema,
  type ElicitRequest,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Approvals, Tasks } from '@switchboard/contracts';
import { type Stack, startStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/** Where the platform's MCP endpoint puts the task and approval of a call that needed one. */
const META = 'dev.switchboard/approval';

interface ApprovalMeta {
  taskId: string;
  approvalId?: string;
  status: string;
}

/**
 * A call through the platform's MCP endpoint of a tool that needs approval (docs/mcp.md), with the
 * official MCP client over Streamable HTTP through the real gateway, orchestrator and mcp-tools: it runs
 * as a one-call task; a client that declared elicitation is asked and decides it; one that did not is
 * told how to approve it, and an approval over HTTP runs it.
 */
describe('approvals through the MCP endpoint (elicitation; real processes and NATS identities)', () => {
  let stack: Stack;
  const clients: Client[] = [];

  const call = (method: string, path: string, user: string, body?: unknown, role = 'user') =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-user-role': role },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    stack = await startStack({ natsIdentities: true, shape: 'cell' });
    // Every note waits for the decision of the user whose call it is.
    const policy: Approvals.ApprovalPolicyInput = {
      approvers: { requester: true },
      allowSelf: true,
    };
    const set = await call('PUT', '/approval-policies/notes.add', 'root', { policy }, 'admin');
    expect(set.status).toBe(200);
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  /** A connected official client as `userId`; with `elicit`, it declares elicitation and answers so. */
  async function connect(
    userId: string,
    elicit?: (request: ElicitRequest) => ElicitResult,
  ): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${stack.gatewayUrl}/mcp`), {
      requestInit: { headers: { 'x-user-id': userId, 'x-user-role': 'user' } },
    });
    const client = new Client(
      { name: 'e2e-approver', version: '1.0.0' },
      elicit ? { capabilities: { elicitation: {} } } : {},
    );
    if (elicit) client.setRequestHandler(ElicitRequestSchema, (request) => elicit(request));
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  const notesOf = (user: string) =>
    stack.dbs.tools.query<{ content: string }>('SELECT content FROM "Note" WHERE "userId" = $1', [
      user,
    ]);

  const metaOf = (result: CallToolResult): ApprovalMeta => {
    const meta = result._meta?.[META] as ApprovalMeta | undefined;
    expect(meta).toMatchObject({ taskId: expect.any(String) as string });
    return meta!;
  };

  const textOf = (result: CallToolResult): string =>
    result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

  async function approvalsOf(taskId: string, user: string, status: Approvals.ApprovalStatus) {
    const res = await call('GET', `/tasks/${taskId}/approvals?status=${status}`, user);
    expect(res.status).toBe(200);
    return ((await res.json()) as { approvals: Approvals.ApprovalView[] }).approvals;
  }

  const taskOf = async (taskId: string, user: string): Promise<Tasks.TaskView> =>
    (await (await call('GET', `/tasks/${taskId}`, user)).json()) as Tasks.TaskView;

  it('asks a client that declared elicitation; its approval runs the call once and returns the note', async () => {
    const ann = `mcp-ann-${randomUUID()}`;
    const asked: ElicitRequest['params'][] = [];
    const client = await connect(ann, (request) => {
      asked.push(request.params);
      return { action: 'accept', content: { decision: 'approve' } };
    });
    const result = (await client.callTool({
      name: 'notes.add',
      arguments: { content: 'approved in the client' },
    })) as CallToolResult;

    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ content: 'approved in the client' });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain('notes.add with {"content":"approved in the client"}');
    expect(asked[0]).toMatchObject({
      requestedSchema: { properties: { decision: { enum: ['approve', 'reject'] } } },
    });
    expect(await notesOf(ann)).toEqual([{ content: 'approved in the client' }]);

    const { taskId, approvalId, status } = metaOf(result);
    expect(status).toBe('completed');
    const task = await taskOf(taskId, ann);
    expect(task).toMatchObject({ status: 'completed', userId: ann });
    expect(task.steps.map((s) => [s.target, s.status])).toEqual([['notes.add', 'completed']]);
    const approved = await approvalsOf(taskId, ann, 'approved');
    expect(approved).toEqual([
      expect.objectContaining({
        approvalId,
        target: 'notes.add',
        input: { content: 'approved in the client' },
        requestedBy: ann,
        decidedBy: ann,
      }),
    ]);

    // Proof: the request and the decision are in the hash chain, and it verifies.
    const trail = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string; userId: string | null }>(
          `SELECT action, "userId" FROM "AuditEntry" WHERE "taskId" = $1 AND category = 'approval' ORDER BY seq`,
          [taskId],
        );
        return rows.length >= 2 ? rows : undefined;
      },
      { what: 'the approval records of the MCP call' },
    );
    expect(trail).toEqual([
      { action: 'approval.requested', userId: ann },
      { action: 'approval.approved', userId: ann },
    ]);
    const verify = await call('GET', '/audit/verify', 'root', undefined, 'admin');
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ ok: true });
  });

  it('a declined form rejects the call: an error result, and no note', async () => {
    const bea = `mcp-bea-${randomUUID()}`;
    const client = await connect(bea, () => ({ action: 'decline' }));
    const result = (await client.callTool({
      name: 'notes.add',
      arguments: { content: 'never written' },
    })) as CallToolResult;

    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('declined in the MCP client');
    const { taskId, approvalId } = metaOf(result);
    const rejected = await approvalsOf(taskId, bea, 'rejected');
    expect(rejected).toEqual([
      expect.objectContaining({
        approvalId,
        decidedBy: bea,
        comment: 'declined in the MCP client',
      }),
    ]);
    // The task resumes on the rejection and ends without running the call.
    const ended = await waitFor(
      async () => {
        const t = await taskOf(taskId, bea);
        return t.status === 'failed' ? t : undefined;
      },
      { what: 'the rejected call task failed' },
    );
    expect(ended.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(await notesOf(bea)).toEqual([]);
  });

  it('tells a client without elicitation how to approve; an approval over HTTP runs the call once', async () => {
    const cid = `mcp-cid-${randomUUID()}`;
    const client = await connect(cid);
    const result = (await client.callTool({
      name: 'notes.add',
      arguments: { content: 'approved over HTTP' },
    })) as CallToolResult;

    // notes.add declares an output schema, so a result without its output is an error result.
    expect(result.isError).toBe(true);
    const { taskId, approvalId, status } = metaOf(result);
    expect(status).toBe('waiting_approval');
    const text = textOf(result);
    expect(text).toContain(`task ${taskId}`);
    expect(text).toContain(`POST /tasks/${taskId}/approvals/${approvalId}`);
    expect(text).toContain(`GET /tasks/${taskId}`);
    expect(await notesOf(cid)).toEqual([]);
    expect((await taskOf(taskId, cid)).status).toBe('waiting_approval');

    const decided = await call('POST', `/tasks/${taskId}/approvals/${approvalId}`, cid, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    const done = await waitFor(
      async () => {
        const t = await taskOf(taskId, cid);
        return t.status === 'completed' ? t : undefined;
      },
      { what: 'the approved MCP call task completed' },
    );
    expect(done.steps.map((s) => [s.target, s.status])).toEqual([['notes.add', 'completed']]);
    expect(done.steps[0]!.output).toMatchObject({ content: 'approved over HTTP' });
    expect(await notesOf(cid)).toEqual([{ content: 'approved over HTTP' }]);
  });
});
