import { AgentCard, Role, type Task } from '@a2a-js/sdk';
import {
  type Client as A2aClient,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import { HttpAgent } from '@ag-ui/client';
import type { BaseEvent, Interrupt, RunFinishedEvent } from '@ag-ui/core';
import {
  Client as McpV2Client,
  StreamableHTTPClientTransport as McpV2Transport,
} from '@modelcontextprotocol/client';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type Approvals, type Audit, Tasks } from '@switchboard/contracts';
import {
  collectSse,
  connectTenantOperator,
  DEMO_TASK,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';

const DELEGATION_TASK =
  'ask the researcher about NATS JetStream, then have the writer draft a summary';

/** Someone acting in a tenant (dev auth with TENANCY=true: X-User-Id, X-User-Role, X-Tenant-Id). */
interface Who {
  user: string;
  tenant: string;
  role?: string;
}

const headersOf = (who: Who): Record<string, string> => ({
  'x-user-id': who.user,
  'x-user-role': who.role ?? 'user',
  'x-tenant-id': who.tenant,
});

/**
 * Tenants on one stack (docs/tenancy.md): two organisations run the demo and delegation tasks side by
 * side, with the same user id in both, and every surface — HTTP, SSE resume, AG-UI, the platform's A2A
 * endpoint, MCP — is tried with the other tenant's ids and finds nothing. Each refusal is audited in
 * the tenant of whoever tried, and each tenant's slice of the audit chain verifies.
 */
describe('tenants kept apart on every surface (real processes, NATS identities, TENANCY=true)', () => {
  let stack: Stack;
  const agents: ServiceHandle[] = [];
  const mcpClients: (McpClient | McpV2Client)[] = [];
  const stamp = randomUUID().slice(0, 8);
  const acme = `acme-${stamp}`;
  const globex = `globex-${stamp}`;
  // The same user id in both tenants: two people who must never meet.
  const annA: Who = { user: 'ann', tenant: acme };
  const annG: Who = { user: 'ann', tenant: globex };
  const adminG: Who = { user: 'gina', tenant: globex, role: 'admin' };
  const adminA: Who = { user: 'alan', tenant: acme, role: 'admin' };
  const operator: Who = { user: 'olga', tenant: 'ops', role: 'platform-admin' };

  beforeAll(async () => {
    for (const kind of ['researcher', 'writer']) {
      agents.push(
        await startService(
          `agent-${kind}`,
          { NODE_OPTIONS: '--import tsx', AGENT_KIND: kind, AGENT_NAME: kind },
          { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts') },
        ),
      );
    }
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      natsIdentities: true,
      tenantOperators: [acme],
      env: {
        gateway: { TENANCY: 'true' },
        a2a: { A2A_AGENTS: `researcher=${agents[0]!.url},writer=${agents[1]!.url}` },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(mcpClients.map((c) => c.close()));
    // the tenant operator's deliberate reach into globex is the only refusal allowed
    const refused = (stack?.securedNats?.violations() ?? []).filter((l) => !l.includes(globex));
    await stack?.stop();
    await Promise.allSettled(agents.map((a) => a.stop()));
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, who: Who, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headersOf(who) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  async function streamTask(who: Who, task: string): Promise<Tasks.TaskEvent[]> {
    const res = await call('POST', '/orchestrate/stream', who, { task });
    expect(res.status).toBe(200);
    return (await collectSse(res)).map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
  }

  async function listTasks(who: Who, query = ''): Promise<string[]> {
    const res = await call('GET', `/tasks${query}`, who);
    expect(res.status).toBe(200);
    return ((await res.json()) as { tasks: { taskId: string }[] }).tasks.map((t) => t.taskId);
  }

  /** The audit rows of a tenant that record a refusal, since `since`. */
  const deniedIn = (tenant: string, since: Date) =>
    stack.dbs.audit.query<{ action: string; userId: string | null; resource: string | null }>(
      `SELECT action, "userId", resource FROM "AuditEntry" WHERE "tenantId" = $1 AND outcome = 'denied' AND at >= $2`,
      [tenant, since],
    );
  /**
   * Waits until each of `actions` has a refusal audited in `tenant` since `since` (on `resource`
   * when given), and returns them; the other tenant's trail holds none of them.
   */
  const refusalsAudited = async (
    tenant: string,
    since: Date,
    actions: string[],
    resource?: string,
  ) => {
    const rows = await waitFor(
      async () => {
        const found = (await deniedIn(tenant, since)).filter(
          (r) => actions.includes(r.action) && (resource === undefined || r.resource === resource),
        );
        return actions.every((a) => found.some((r) => r.action === a)) ? found : undefined;
      },
      { what: `refusals ${actions.join(', ')} audited in ${tenant}` },
    );
    const other = tenant === acme ? globex : acme;
    expect((await deniedIn(other, since)).filter((r) => actions.includes(r.action))).toEqual([]);
    return rows;
  };

  let acmeDemo = '';

  it('runs the demo and delegation tasks of two tenants side by side, each seeing its own', async () => {
    const runs = await Promise.all([
      streamTask(annA, DEMO_TASK),
      streamTask(annG, DEMO_TASK),
      streamTask(annA, DELEGATION_TASK),
      streamTask(annG, DELEGATION_TASK),
    ]);
    // the whole terminal event, so a failure shows why
    for (const events of runs) {
      const last = events.at(-1);
      expect(last?.name === 'orchestrator.task.completed' ? 'completed' : last?.message).toBe(
        'completed',
      );
    }
    const [demoA, demoG, delegA, delegG] = runs.map((events) => events[0]!.taskId);
    acmeDemo = demoA!;
    const delegations = runs[2]!.filter((e) => e.name === 'a2a.delegation.result');
    expect(delegations).toHaveLength(2);

    // Same user id, two tenants: each lists its own two tasks only.
    expect((await listTasks(annA)).sort()).toEqual([demoA, delegA].sort());
    expect((await listTasks(annG)).sort()).toEqual([demoG, delegG].sort());
    // A tenant admin lists everyone of its tenant, nobody of the other.
    const globexAll = await listTasks(adminG);
    expect(globexAll).toEqual(expect.arrayContaining([demoG, delegG]));
    expect(globexAll).not.toContain(demoA);
    expect(globexAll).not.toContain(delegA);
    // The platform operator sees both.
    expect(await listTasks(operator, '?limit=100')).toEqual(
      expect.arrayContaining([demoA, demoG, delegA, delegG]),
    );

    // Each note is stored in its tenant.
    const notes = await stack.dbs.tools.query<{ tenantId: string; content: string }>(
      `SELECT "tenantId", content FROM "Note" WHERE "userId" = 'ann' AND "tenantId" = ANY($1) ORDER BY "tenantId"`,
      [[acme, globex]],
    );
    expect(notes).toEqual([
      { tenantId: acme, content: '391' },
      { tenantId: globex, content: '391' },
    ]);
    const rows = await stack.dbs.orchestrator.query<{ id: string; tenantId: string }>(
      `SELECT id, "tenantId" FROM "Task" WHERE id = ANY($1::uuid[])`,
      [[demoA, demoG, delegA, delegG]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.tenantId]))).toEqual({
      [demoA!]: acme,
      [delegA!]: acme,
      [demoG!]: globex,
      [delegG!]: globex,
    });
  }, 120_000);

  it("answers 404 over HTTP and SSE for another tenant's task, as for a task that does not exist, and audits each refusal", async () => {
    const since = new Date();
    for (const who of [annG, adminG]) {
      expect((await call('GET', `/tasks/${acmeDemo}`, who)).status).toBe(404);
      expect((await call('GET', `/tasks/${acmeDemo}/events`, who)).status).toBe(404);
      // SSE resume with a Last-Event-ID finds nothing either.
      const resumed = await fetch(`${stack.gatewayUrl}/tasks/${acmeDemo}/events`, {
        headers: { ...headersOf(who), 'last-event-id': '3' },
      });
      expect(resumed.status).toBe(404);
      expect((await call('POST', `/tasks/${acmeDemo}/cancel`, who, {})).status).toBe(404);
      // a task's approvals: the same empty answer as for a task that does not exist
      const foreignApprovals = await call('GET', `/tasks/${acmeDemo}/approvals`, who);
      const missingApprovals = await call('GET', `/tasks/${randomUUID()}/approvals`, who);
      expect(foreignApprovals.status).toBe(missingApprovals.status);
      expect(await foreignApprovals.json()).toEqual(await missingApprovals.json());
    }
    const missing = await call('GET', `/tasks/${randomUUID()}`, annG);
    const foreign = await call('GET', `/tasks/${acmeDemo}`, annG);
    const messageOf = async (r: Response) =>
      ((await r.json()) as { code: string; message: string }).message;
    expect((await messageOf(foreign)).replace(acmeDemo, 'ID')).toBe(
      (await messageOf(missing)).replace(/[0-9a-f-]{36}/, 'ID'),
    );
    // An admin of globex asking for ann's tasks gets globex's ann only.
    expect(await listTasks(adminG, '?user_id=ann')).not.toContain(acmeDemo);
    // The owner still sees it.
    expect((await call('GET', `/tasks/${acmeDemo}`, annA)).status).toBe(200);

    const denied = await waitFor(
      async () => {
        const rows = await deniedIn(globex, since);
        return rows.length >= 10 ? rows : undefined;
      },
      { what: "globex's refusals in the audit trail" },
    );
    expect(denied.every((r) => r.userId === 'ann' || r.userId === 'gina')).toBe(true);
    expect(await deniedIn(acme, since)).toEqual([]);
  });

  it("keeps another tenant's approval out of reach on HTTP and AG-UI, and audits each attempt", async () => {
    const since = new Date();
    // acme's ann starts a run that waits for her approval of notes.add.
    const agent = new HttpAgent({
      url: `${stack.gatewayUrl}/ag-ui`,
      headers: headersOf(annA),
      initialMessages: [{ id: randomUUID(), role: 'user', content: DEMO_TASK }],
    });
    const events: BaseEvent[] = [];
    await agent.runAgent(
      { forwardedProps: { approval: { tools: ['notes.add'] } } },
      { onEvent: ({ event }) => void events.push(event) },
    );
    const finished = events.at(-1) as RunFinishedEvent;
    expect(finished.outcome?.type).toBe('interrupt');
    const interrupt = (finished.outcome as { interrupts: Interrupt[] }).interrupts[0]!;
    const taskId = (finished.result as { taskId: string }).taskId;

    // globex sees none of it: not in its inboxes, not decidable, not resumable on the same thread.
    for (const who of [annG, adminG]) {
      const inbox = (await (await call('GET', '/approvals', who)).json()) as {
        approvals: Approvals.ApprovalView[];
      };
      expect(inbox.approvals.map((a) => a.approvalId)).not.toContain(interrupt.id);
      const decided = await call('POST', `/tasks/${taskId}/approvals/${interrupt.id}`, who, {
        decision: 'approve',
      });
      expect(decided.status).toBe(404);
    }
    const intruder = new HttpAgent({
      url: `${stack.gatewayUrl}/ag-ui`,
      headers: headersOf(annG),
      threadId: agent.threadId,
    });
    const intruderEvents: BaseEvent[] = [];
    const attempt = await intruder
      .runAgent(
        { resume: [{ interruptId: interrupt.id, status: 'resolved', payload: { approve: true } }] },
        { onEvent: ({ event }) => void intruderEvents.push(event) },
      )
      .then(
        () => 'ran',
        (e: Error) => e.message,
      );
    expect(attempt === 'ran' ? intruderEvents.at(-1)?.type : 'rejected').not.toBe('RUN_FINISHED');
    // The decisions over HTTP and the resume over AG-UI are each audited in globex.
    const audited = await refusalsAudited(globex, since, ['approval.decide', 'approval.resume']);
    expect(audited.every((r) => r.resource === interrupt.id)).toBe(true);

    // Still pending for acme, whose admin may decide it.
    const pending = (await (await call('GET', `/tasks/${taskId}/approvals`, annA)).json()) as {
      approvals: Approvals.ApprovalView[];
    };
    expect(pending.approvals[0]).toMatchObject({ approvalId: interrupt.id, status: 'pending' });
    const ok = await call('POST', `/tasks/${taskId}/approvals/${interrupt.id}`, annA, {
      decision: 'reject',
      reason: 'not today',
    });
    expect(ok.status).toBe(200);
    expect(adminA.tenant).toBe(acme);
  }, 60_000);

  /** An official A2A client acting as `who`. */
  async function a2aClient(who: Who): Promise<A2aClient> {
    const fetchImpl: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      for (const [k, v] of Object.entries(headersOf(who))) headers.set(k, v);
      return fetch(input, { ...init, headers });
    };
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl })],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
      }),
    );
    return factory.createFromUrl(stack.gatewayUrl);
  }

  it("finds nothing of another tenant's A2A task (GetTask, CancelTask), with the official client, and audits each attempt", async () => {
    const since = new Date();
    const mine = await a2aClient(annA);
    expect(AgentCard.toJSON(await mine.getAgentCard())).toBeDefined();
    const sent = await mine.sendMessage({
      tenant: '',
      message: {
        messageId: randomUUID(),
        role: Role.ROLE_USER,
        contextId: '',
        taskId: '',
        parts: [
          {
            content: { $case: 'text', value: DEMO_TASK },
            mediaType: 'text/plain',
            filename: '',
            metadata: undefined,
          },
        ],
        metadata: undefined,
        extensions: [],
        referenceTaskIds: [],
      },
      configuration: undefined,
      metadata: undefined,
    });
    const taskId = (sent as Task).id;
    expect(taskId).toMatch(/[0-9a-f-]{36}/);
    const theirs = await a2aClient(annG);
    await expect(
      theirs.getTask({ tenant: '', id: taskId, historyLength: undefined }),
    ).rejects.toThrow(/not found/i);
    await expect(
      theirs.cancelTask({ tenant: '', id: taskId, metadata: undefined }),
    ).rejects.toThrow(/not found/i);
    await expect(
      mine.getTask({ tenant: '', id: taskId, historyLength: undefined }),
    ).resolves.toMatchObject({ id: taskId });
    await refusalsAudited(globex, since, ['task.get.denied', 'task.cancel.denied'], taskId);
  }, 60_000);

  /** An official MCP client acting as `who`, and the session id the gateway gave it. */
  async function mcpClient(who: Who): Promise<{ client: McpClient; sessionId: string }> {
    const transport = new StreamableHTTPClientTransport(new URL(`${stack.gatewayUrl}/mcp`), {
      requestInit: { headers: headersOf(who) },
    });
    const client = new McpClient({ name: 'e2e-tenants', version: '1.0.0' });
    await client.connect(transport);
    mcpClients.push(client);
    return { client, sessionId: transport.sessionId! };
  }

  it('reaches no note and no MCP session of another tenant, with the official MCP client, and audits each attempt', async () => {
    const since = new Date();
    const { client: mine, sessionId } = await mcpClient(annA);
    const added = await mine.callTool({
      name: 'notes.add',
      arguments: { content: `acme secret ${stamp}` },
    });
    expect(added.isError).toBeFalsy();
    const noteId = (added.structuredContent as { id: string }).id;
    const own = await mine.callTool({ name: 'notes.get', arguments: { id: noteId } });
    expect(own.structuredContent).toMatchObject({ content: `acme secret ${stamp}` });

    const { client: theirs } = await mcpClient(annG);
    const got = await theirs.callTool({ name: 'notes.get', arguments: { id: noteId } });
    expect(got.isError).toBe(true);
    expect(JSON.stringify(got.content)).toMatch(/not found/i);
    expect(JSON.stringify(got.content)).not.toContain('acme secret');
    const listed = await theirs.callTool({ name: 'notes.list', arguments: {} });
    expect(JSON.stringify(listed)).not.toContain('acme secret');

    // acme's session id presented by globex's ann is no session at all.
    const hijack = await fetch(`${stack.gatewayUrl}/mcp`, {
      method: 'POST',
      headers: {
        ...headersOf(annG),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(404);
    // notes.get of acme's note (mcp-tools) and the borrowed session (the gateway), audited in globex
    // naming neither acme nor its session
    const audited = await refusalsAudited(globex, since, ['tool.call', 'mcp.session']);
    expect(audited.find((r) => r.action === 'mcp.session')).toMatchObject({
      userId: 'ann',
      resource: 'mcp',
    });
    expect(JSON.stringify(audited)).not.toContain(sessionId);
  }, 60_000);

  it('reads and cancels no task of another tenant as an MCP 2026-07-28 task (stateless, official v2 client)', async () => {
    const v2 = async (who: Who) => {
      const client = new McpV2Client(
        { name: 'e2e-tenants-v2', version: '2.0.0' },
        {
          versionNegotiation: { mode: { pin: '2026-07-28' } },
          capabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } },
        },
      );
      await client.connect(
        new McpV2Transport(new URL(`${stack.gatewayUrl}/mcp`), {
          requestInit: { headers: headersOf(who) },
        }),
      );
      mcpClients.push(client);
      return (method: string) =>
        client.request({ method, params: { taskId: acmeDemo } } as never, z.any()) as Promise<{
          status: string;
        }>;
    };
    expect(acmeDemo).not.toBe('');
    await expect((await v2(annA))('tasks/get')).resolves.toMatchObject({ status: 'completed' });
    // globex's ann (the same user id) and globex's admin: acme's task is no task at all
    for (const who of [annG, adminG]) {
      const ask = await v2(who);
      await expect(ask('tasks/get')).rejects.toThrow(/unknown task/);
      await expect(ask('tasks/cancel')).rejects.toThrow(/unknown task/);
    }
  }, 60_000);

  it("lists and verifies each tenant's own audit records only", async () => {
    const listOf = async (who: Who) => {
      const res = await call('GET', '/audit?limit=500', who);
      expect(res.status).toBe(200);
      return ((await res.json()) as Audit.AuditQueryResponse).entries;
    };
    const globexRows = await listOf(adminG);
    expect(globexRows.length).toBeGreaterThan(0);
    expect(new Set(globexRows.map((r) => r.tenantId))).toEqual(new Set([globex]));
    // globex's own refusals name the id globex tried; nothing else of acme's task is there
    expect(globexRows.filter((r) => r.outcome !== 'denied').map((r) => r.taskId)).not.toContain(
      acmeDemo,
    );
    expect(
      globexRows.filter((r) => r.taskId === acmeDemo).every((r) => r.outcome === 'denied'),
    ).toBe(true);
    const acmeRows = await listOf(adminA);
    expect(acmeRows.map((r) => r.taskId)).toContain(acmeDemo);
    expect(new Set(acmeRows.map((r) => r.tenantId))).toEqual(new Set([acme]));
    // acme's trail holds nothing of globex's attempts on its task
    expect(acmeRows.filter((r) => r.taskId === acmeDemo).every((r) => r.outcome !== 'denied')).toBe(
      true,
    );

    for (const who of [adminA, adminG]) {
      const res = await call('GET', '/audit/verify', who);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, tenantId: who.tenant });
    }
    const all = await call('GET', '/audit/verify', operator);
    expect(await all.json()).toMatchObject({ ok: true });
  });

  it("gives a tenant operator's NATS identity its tenant's task events and audit records, and nats-server refuses it the other tenant's", async () => {
    const nc = await connectTenantOperator(stack.securedNats!, acme);
    try {
      const seen: string[] = [];
      const mine = nc.subscribe(`sb.evt.task.*.${acme}.>`, {
        callback: (_e, m) => void seen.push(m.subject),
      });
      const audit = nc.subscribe(`sb.audit.*.*.${acme}`, {
        callback: (_e, m) => void seen.push(m.subject),
      });
      // the records relayed from the orchestrator's journal (the task's submission, its tool calls,
      // its end), once chained
      const chained = nc.subscribe(`sb.evt.audit.*.*.${acme}`, {
        callback: (_e, m) => void seen.push(m.subject),
      });
      nc.subscribe(`sb.evt.task.*.${globex}.>`, { callback: () => undefined });
      await nc.flush();
      const refusal = await waitFor(
        () => stack.securedNats!.violations().find((l) => l.includes(`sb.evt.task.*.${globex}.>`)),
        { what: "nats-server refusing acme's operator globex's task events" },
      );
      expect(refusal).toMatch(/Subscription Violation/);

      const [acmeRun, globexRun] = await Promise.all([
        streamTask(annA, DEMO_TASK),
        streamTask(annG, DEMO_TASK),
      ]);
      const acmeTask = acmeRun[0]!.taskId;
      const globexTask = globexRun[0]!.taskId;
      await waitFor(
        () =>
          seen.some((s) =>
            s.startsWith(`sb.evt.task.${acmeTask}.${acme}.orchestrator.task.completed`),
          ) &&
          ['request', 'tool', 'task'].every((category) =>
            seen.includes(`sb.evt.audit.${category}.${acmeTask}.${acme}`),
          )
            ? true
            : undefined,
        { what: "acme's task events and audit records at acme's operator" },
      );
      expect(seen.some((s) => s.includes(globexTask))).toBe(false);
      expect(seen.every((s) => s.endsWith(`.${acme}`) || s.includes(`.${acme}.`))).toBe(true);
      mine.unsubscribe();
      audit.unsubscribe();
      chained.unsubscribe();
    } finally {
      await nc.close();
    }
  }, 60_000);
});
