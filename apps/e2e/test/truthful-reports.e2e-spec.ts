import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Audit, NO_TOKEN } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type LlmStub,
  type Stack,
  startLlmStub,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

// What the platform reports about work must be true: the audit trail shows usage figures while real
// secrets stay hidden, and an MCP client learns a tool's own failure as the tool's result, not as
// "not available to you".
describe('truthful reports: audit details and MCP tool failures (real processes)', () => {
  let llm: LlmStub;
  let stack: Stack;
  let client: BusClient;
  const mcpClients: Client[] = [];

  beforeAll(async () => {
    llm = await startLlmStub();
    stack = await startStack({
      shape: 'cell',
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-e2e-secret-0123456789',
          LLM_MODEL: 'stub-model',
        },
      },
    });
    client = await createBusClient(stack.nats.url, 'gateway', stack.natsSettings('gateway'));
  });

  afterAll(async () => {
    await Promise.allSettled(mcpClients.map((c) => c.close()));
    await client?.close();
    await stack?.stop();
    await llm?.stop();
  });

  /** The first audit row matching `where` ($1 = `value`), once the audit service has stored it. */
  const auditRow = (where: string, value: string) =>
    waitFor(
      async () =>
        (
          await stack.dbs.audit.query<{ action: string; details: Record<string, unknown> }>(
            `SELECT action, details FROM "AuditEntry" WHERE ${where}`,
            [value],
          )
        )[0],
      { what: `the audit row where ${where} (${value})` },
    );

  it("keeps a task's token usage visible in its terminal audit record", async () => {
    const task = `say hello ${randomUUID().slice(0, 8)}`;
    llm.script(task, [{ content: 'Hello.', usage: { prompt: 1_000, completion: 200 } }]);
    const r = await fetch(`${stack.gatewayUrl}/orchestrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': 'usage-reader' },
      body: JSON.stringify({ task }),
    });
    expect(r.status).toBe(200);
    const { task_id: taskId } = (await r.json()) as { task_id: string };
    const row = await auditRow(`"taskId" = $1::uuid AND action = 'task.completed'`, taskId);
    expect(row.details).toMatchObject({ planner: 'llm', model: 'stub-model', totalTokens: 1_200 });
  });

  it('stores a record as the audit service received it, secrets redacted by name and usage kept', async () => {
    const id = randomUUID();
    await client.jetstream.publish(
      Audit.AuditRecorded,
      ['admin', NO_TOKEN, 'default'],
      {
        id,
        at: new Date().toISOString(),
        source: 'gateway',
        category: 'admin',
        action: 'edge.redaction',
        outcome: 'success',
        actor: { userId: 'root', role: 'admin' },
        details: {
          usage: { totalTokens: 42, promptTokens: 40, tokenCount: 2 },
          apiKey: 'sk-live-0123456789',
          headers: { authorization: 'Bearer abc.def.ghi', 'x-proxy-secret': 'p'.repeat(40) },
          nested: { password: 'hunter2', access_token: 'at-123', NATS_TOKEN: 'nt-456' },
        },
      },
      { msgId: id },
    );
    const row = await auditRow('id = $1::uuid', id);
    expect(row.details).toEqual({
      usage: { totalTokens: 42, promptTokens: 40, tokenCount: 2 },
      apiKey: '[redacted]',
      headers: { authorization: '[redacted]', 'x-proxy-secret': '[redacted]' },
      nested: { password: '[redacted]', access_token: '[redacted]', NATS_TOKEN: '[redacted]' },
    });
  });

  async function mcp(userId: string): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${stack.gatewayUrl}/mcp`), {
      requestInit: { headers: { 'x-user-id': userId } },
    });
    const c = new Client({ name: 'e2e-errors', version: '1.0.0' });
    await c.connect(transport);
    mcpClients.push(c);
    return c;
  }

  it("returns a permitted tool's own failure as an isError result (notes.get of a missing note)", async () => {
    const c = await mcp(`mcp-${randomUUID().slice(0, 8)}`);
    const missing = randomUUID();
    const result = (await c.callTool({
      name: 'notes.get',
      arguments: { id: missing },
    })) as CallToolResult;
    expect(result).toEqual({
      content: [{ type: 'text', text: `NOT_FOUND: note ${missing} not found` }],
      isError: true,
    });
  });

  it('refuses an unknown tool and one the caller may not use as protocol errors, each said once', async () => {
    const c = await mcp(`mcp-${randomUUID().slice(0, 8)}`);
    const refusal = (name: string) =>
      c.callTool({ name, arguments: {} }).then(
        () => undefined,
        (e: unknown) => e as Error & { code: number },
      );
    for (const [name, reason] of [
      ['no.such.tool', /unknown tool "no\.such\.tool"/],
      ['admin.debug', /admin/],
    ] as const) {
      const e = await refusal(name);
      expect(e?.code).toBe(-32602);
      expect(e?.message).toMatch(
        new RegExp(`^MCP error -32602: tool ${name} is not available to you`),
      );
      expect(e?.message).toMatch(reason);
      expect(e?.message.match(/MCP error/g)).toHaveLength(1);
    }
  });
});
